package doctor

import (
	"errors"
	"strings"
	"testing"
)

func TestToolsCheck(t *testing.T) {
	have := func(names ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, n := range names {
				if n == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	// moto_server only serves the demo: missing, it is named with how to get it, not a failure.
	detail, _, err := checkTools(have("git"))
	if err != nil || !strings.Contains(detail, "found git") || !strings.Contains(detail, "moto_server not found (jitsictl demo only: pip install") {
		t.Errorf("without moto_server: detail %q, err %v", detail, err)
	}
	// git is needed by deploy rollback: missing, it fails with the install step.
	_, fix, err := checkTools(have("moto_server"))
	if err == nil || !strings.Contains(err.Error(), "git not found (needed by deploy rollback)") || !strings.Contains(fix, "install git") {
		t.Errorf("without git: err %v, fix %q", err, fix)
	}
}
