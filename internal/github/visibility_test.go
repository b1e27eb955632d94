package github

import (
	"os"
	"path/filepath"
	"testing"
)

// A link is a bearer credential: only a payload that proves the repository
// private may put one in a job summary; anything else counts as public.
func TestRunContextPrivateOnlyWhenThePayloadSaysSo(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, payload string
		private       bool
	}{
		{"private flag", `{"repository":{"private":true}}`, true},
		{"private visibility", `{"repository":{"private":true,"visibility":"private"}}`, true},
		{"internal", `{"repository":{"private":true,"visibility":"internal"}}`, true},
		{"public", `{"repository":{"private":false,"visibility":"public"}}`, false},
		{"visibility wins over a contradicting flag", `{"repository":{"private":true,"visibility":"public"}}`, false},
		{"no repository", `{"inputs":{"hours":"2"}}`, false},
		{"repository without either field", `{"repository":{"full_name":"o/r"}}`, false},
		{"not JSON", `private`, false},
		{"empty", ``, false},
	} {
		p := filepath.Join(dir, tc.name+".json")
		if err := os.WriteFile(p, []byte(tc.payload), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": p}
		c, _ := ReadRunContext(func(k string) string { return env[k] })
		if c.Private() != tc.private || !c.Actions {
			t.Errorf("%s: Private() = %v (visibility %q, in Actions %v), want %v", tc.name, c.Private(), c.Visibility, c.Actions, tc.private)
		}
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": filepath.Join(dir, "missing.json")}
	if c, _ := ReadRunContext(func(k string) string { return env[k] }); c.Private() {
		t.Errorf("missing event file: private, want public")
	}
}
