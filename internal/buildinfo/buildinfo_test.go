package buildinfo

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The release build stamps version and commit with -ldflags -X: a renamed
// variable would silently drop the stamp, so build with the flags the
// release script uses and read them back.
func TestLdflagsStampVersionAndCommit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "stamped")
	ld := "-X github.com/jitsictl/jitsictl/internal/buildinfo.version=v9.8.7 -X github.com/jitsictl/jitsictl/internal/buildinfo.commit=0123abcd"
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ld, "-o", bin, "./testdata/printversion")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "jitsictl v9.8.7 (commit 0123abcd, " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("stamped binary prints %q, want %q", got, want)
	}
}

func TestUnstampedIsDev(t *testing.T) {
	i := Get() // a test binary carries no stamp and no module version
	if i.Version != "dev" || i.GoVersion != runtime.Version() {
		t.Errorf("Get() = %+v, want version dev and %s", i, runtime.Version())
	}
}
