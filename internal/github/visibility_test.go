package github

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoVisibility(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, payload string
		want          Visibility
	}{
		{"private flag", `{"repository":{"private":true}}`, Private},
		{"private visibility", `{"repository":{"private":true,"visibility":"private"}}`, Private},
		{"internal", `{"repository":{"private":true,"visibility":"internal"}}`, Private},
		{"public", `{"repository":{"private":false,"visibility":"public"}}`, Public},
		{"visibility wins over a contradicting flag", `{"repository":{"private":true,"visibility":"public"}}`, Public},
		{"no repository", `{"inputs":{"hours":"2"}}`, Public},
		{"repository without either field", `{"repository":{"full_name":"o/r"}}`, Public},
		{"not JSON", `private`, Public},
		{"empty", ``, Public},
	} {
		p := filepath.Join(dir, tc.name+".json")
		if err := os.WriteFile(p, []byte(tc.payload), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := RepoVisibility(p); got != tc.want {
			t.Errorf("%s: RepoVisibility = %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := RepoVisibility(""); got != Public {
		t.Errorf("no event path: %s, want public", got)
	}
	if got := RepoVisibility(filepath.Join(dir, "missing.json")); got != Public {
		t.Errorf("missing event file: %s, want public", got)
	}
}

func TestRunVisibility(t *testing.T) {
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(`{"repository":{"private":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if in, _ := RunVisibility(env(nil)); in {
		t.Error("outside Actions: RunVisibility says inside")
	}
	if in, v := RunVisibility(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": p})); !in || v != Private {
		t.Errorf("private event: %v %s", in, v)
	}
	if in, v := RunVisibility(env(map[string]string{"GITHUB_ACTIONS": "true"})); !in || v != Public {
		t.Errorf("Actions without an event: %v %s, want public", in, v)
	}
}
