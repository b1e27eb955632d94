package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// A bad rooms input is refused before anything reaches AWS: every AWS and
// Terraform call would go to an endpoint that counts requests and fails them.
func TestBadRoomsAreRefusedBeforeAWS(t *testing.T) {
	var calls atomic.Int64
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no AWS in this test", http.StatusForbidden)
	}))
	defer aws.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("terraform {\n  backend \"s3\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL": aws.URL, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
	}
	bad := map[string]string{
		"spaces":      "stand up",
		"slash":       "team/standup",
		"traversal":   "../admin",
		"200 chars":   strings.Repeat("a", 200),
		"cyrillic a":  "stаndup",
		"fullwidth":   "ｓｔａｎｄｕｐ",
		"capitals":    "Standup",
		"query":       "standup?jwt=x",
		"empty entry": "standup,,review",
	}
	for name, rooms := range bad {
		for _, args := range [][]string{
			{"session", "open", "--dir", dir, "--rooms", rooms},
			{"session", "links", "--dir", dir, "--rooms", rooms},
		} {
			code, _, stderr := run(t, env, args...)
			if code != ExitUsage || !strings.Contains(stderr, "lowercase letters") && !strings.Contains(stderr, "named twice") {
				t.Errorf("%s: %s: exit %d, want %d with the rule for room names; stderr:\n%s", name, args[1], code, ExitUsage, stderr)
			}
		}
		// The same through the Action's input.
		ghaEnv := map[string]string{"INPUT_ACTION": "open", "INPUT_ROOMS": rooms, "INPUT_WORKING-DIRECTORY": dir, "GITHUB_ACTIONS": "true"}
		for k, v := range env {
			ghaEnv[k] = v
		}
		if code, out, stderr := run(t, ghaEnv, "gha", "session"); code != ExitUsage || !strings.Contains(out+stderr, "input rooms") {
			t.Errorf("%s: gha session: exit %d, want %d naming the rooms input; output:\n%s%s", name, code, ExitUsage, out, stderr)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests reached the AWS endpoint for bad input, want none", n)
	}
}
