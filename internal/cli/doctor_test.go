package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// doctorRow finds a check's row in doctor's table, with the lines wrapped
// under it (the rest of the detail, the fix) joined to it.
func doctorRow(out, check string) string {
	var row []string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, check+" "):
			row = append(row, line)
		case len(row) > 0 && strings.HasPrefix(line, " "):
			row = append(row, strings.TrimSpace(line))
		case len(row) > 0:
			return strings.Join(row, " ")
		}
	}
	return strings.Join(row, " ")
}

func TestDoctorFailsWithTheFix(t *testing.T) {
	emu := testbed.Moto(t)
	// A stack folder that was never initialised: no backend.
	dir := testbed.CopyStack(t)
	env := map[string]string{}
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}

	t.Run("no backend", func(t *testing.T) {
		code, out, _ := run(t, env, "doctor", "--dir", dir)
		if code != ExitFailure {
			t.Fatalf("exit %d, want 1:\n%s", code, out)
		}
		if row := doctorRow(out, "AWS identity"); !strings.Contains(row, "PASS") {
			t.Errorf("identity against the emulator should pass: %q", row)
		}
		row := doctorRow(out, "Terraform initialised")
		if !strings.Contains(row, "FAIL") || !strings.Contains(row, "init -backend-config=") {
			t.Errorf("uninitialised root: row %q lacks FAIL and the init command", row)
		}
		if row := doctorRow(out, "State backend reachable"); !strings.Contains(row, "FAIL") {
			t.Errorf("backend row: %q", row)
		}
	})

	t.Run("expired SSO session", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(cfg, []byte(`[profile jitsi-hosting]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
region = us-east-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
`), 0o600); err != nil {
			t.Fatal(err)
		}
		sso := map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_PROFILE": "jitsi-hosting", "AWS_ENDPOINT_URL": env["AWS_ENDPOINT_URL"], "HOME": t.TempDir()}
		code, out, _ := run(t, sso, "doctor", "--dir", dir)
		if code != ExitFailure {
			t.Fatalf("exit %d, want 1:\n%s", code, out)
		}
		row := doctorRow(out, "AWS identity")
		if !regexp.MustCompile("FAIL.*`aws sso login --profile jitsi-hosting`").MatchString(row) {
			t.Errorf("expired SSO: row %q lacks FAIL and the exact login command", row)
		}
	})

	t.Run("unknown profile", func(t *testing.T) {
		code, out, _ := run(t, map[string]string{"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_PROFILE": "nope"}, "doctor", "--dir", dir)
		if code != ExitFailure {
			t.Fatalf("exit %d, want 1:\n%s", code, out)
		}
		if row := doctorRow(out, "AWS identity"); !strings.Contains(row, "FAIL") {
			t.Errorf("unknown profile: row %q", row)
		}
	})
}
