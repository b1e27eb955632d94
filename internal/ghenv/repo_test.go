package ghenv

import "testing"

// ParseRepo accepts owner/name as GitHub spells it and nothing a shell or a
// path could read otherwise.
func TestParseRepo(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo("octo-org/jitsi.meet", "production", "main")
	if err != nil || r != (Repo{Owner: "octo-org", Name: "jitsi.meet", Environment: "production", DefaultBranch: "main"}) {
		t.Fatalf("octo-org/jitsi.meet: %+v, %v", r, err)
	}
	for _, bad := range []string{"", "octo-org", "octo-org/*", "-org/jitsi", "octo-org/jitsi/x", "octo org/jitsi"} {
		if _, err := ParseRepo(bad, "production", "main"); err == nil {
			t.Errorf("--repo %q accepted", bad)
		}
	}
	if _, err := ParseRepo("o/r", " ", "main"); err == nil {
		t.Error("an empty environment accepted")
	}
}
