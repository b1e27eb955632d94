package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The shipped binary links no test code: not the testing package (whose init
// registers -test.* flags), not a package that imports it, and no helper
// package written for tests.
func TestBinaryLinksNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if isTestCode(pkg) {
			t.Errorf("jitsictl links %s, a package for tests only", pkg)
		}
		for _, imp := range strings.Fields(imports) {
			if imp == "testing" {
				t.Errorf("jitsictl links %s, which imports testing: move its test helpers to internal/testbed", pkg)
			}
		}
	}
}

func isTestCode(pkg string) bool {
	if pkg == "testing" || strings.HasPrefix(pkg, "testing/") {
		return true
	}
	const internal = "github.com/jitsictl/jitsictl/internal/"
	for _, helper := range []string{"testbed", "fakegithub", "probe/probetest"} {
		if pkg == internal+helper || strings.HasPrefix(pkg, internal+helper+"/") {
			return true
		}
	}
	return false
}
