package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLingerPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, body string
		enabled    bool
		before     time.Duration
		err        string
	}{
		{"none.yaml", "", true, 0, ""},
		{"deploy-only.yaml", "deploy:\n  stages: []\n", true, 0, ""},
		{"off.yaml", "session:\n  linger: false\n", false, 0, ""},
		{"before.yaml", "session:\n  linger: true\n  linger_before: 8m\n", true, 8 * time.Minute, ""},
		{"typo.yaml", "session:\n  lingr: false\n", true, 0, "field lingr not found"},
		{"late.yaml", "session:\n  linger_before: 45m\n", true, 0, "between 1m and 30m"},
	} {
		path := filepath.Join(dir, "missing.yaml")
		if c.body != "" {
			path = write(c.name, c.body)
		}
		p, err := ReadLingerPolicy(path)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || p.Enabled != c.enabled || p.Before != c.before {
			t.Errorf("%s: %+v, %v; want enabled=%v before=%s", c.name, p, err, c.enabled, c.before)
		}
	}
	// The shipped configuration keeps lingering on and says so.
	p, err := ReadLingerPolicy(filepath.Join("..", "..", "jitsictl.yaml"))
	if err != nil || !p.Enabled {
		t.Fatalf("shipped jitsictl.yaml: %+v, %v", p, err)
	}
}
