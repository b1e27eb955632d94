package testbed

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Child processes (terraform and its provider above all) run with GOGC set: ChildGOGC
// unless the test run set its own.
func TestChildrenInheritGOGC(t *testing.T) {
	want, ok := os.LookupEnv("GOGC")
	if !ok || want == "" {
		t.Fatal("Main did not set GOGC for child processes")
	}
	out, err := exec.Command("sh", "-c", `printf %s "$GOGC"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("a child sees GOGC=%q, want %q", got, want)
	}
}
