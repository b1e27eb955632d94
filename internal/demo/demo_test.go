package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/report"
)

// The demo's jitsictl sees the emulator's AWS settings and none of the
// user's: a profile or keys in the user's environment cannot reach it.
func TestEmulatorEnvHidesTheUsersAWS(t *testing.T) {
	t.Parallel()
	user := map[string]string{"AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "AKIAUSER", "PATH": "/usr/bin", "JITSICTL_TERRAFORM_LOG": "/user/log"}
	env := emulatorEnv([]string{"AWS_ENDPOINT_URL=http://127.0.0.1:5000", "AWS_ACCESS_KEY_ID=test"},
		map[string]string{"JITSICTL_TERRAFORM_LOG": "/work/terraform.log"}, func(k string) string { return user[k] })
	for k, want := range map[string]string{
		"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ACCESS_KEY_ID": "test", "AWS_PROFILE": "",
		"PATH": "/usr/bin", "JITSICTL_TERRAFORM_LOG": "/work/terraform.log",
	} {
		if got := env(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// The verdict's text stays within the terminal width however long its lines.
func TestVerdictTextFitsTheTerminal(t *testing.T) {
	t.Parallel()
	v := verdict{project: "a-rather-long-project-name", took: 4 * time.Minute}
	v.pass(strings.Repeat("a check that passed and says so at length ", 5))
	v.unproven = append(v.unproven, unprovable[0].words)
	out := v.text()
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > report.Width {
			t.Errorf("line wider than %d: %q", report.Width, l)
		}
	}
	if !strings.Contains(out, "Project=a-rather-long-project-name,") || !strings.HasSuffix(out, "Demo passed in 4m0s.\n") {
		t.Errorf("verdict:\n%s", out)
	}
}
