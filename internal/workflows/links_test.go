package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/jitsictl/jitsictl/internal/cli"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/token"
)

// tokenPrefix starts every JWT jitsictl mints: base64url of `{"alg":`.
const tokenPrefix = "eyJ"

// requireNoLinks fails when a meeting link shows in any log line, step
// summary or step output of the run.
func requireNoLinks(t *testing.T, r actRun, where string) {
	t.Helper()
	if strings.Contains(r.log, tokenPrefix) {
		for _, l := range strings.Split(r.log, "\n") {
			if strings.Contains(l, tokenPrefix) {
				t.Errorf("%s: a token is in act's log: %.200s", where, l)
				break
			}
		}
	}
	for _, l := range r.lines {
		for _, s := range []string{l.Content, l.Arg, l.Msg} {
			if strings.Contains(s, tokenPrefix) {
				t.Errorf("%s: a token is in a %q line of step %v: %.200s", where, l.Command, l.StepID, s)
			}
		}
	}
}

// summaryLinks reads the meeting links from a job summary and returns the
// expiry of each token (its exp claim, read without the secret).
func summaryLinks(t *testing.T, summary string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, f := range strings.FieldsFunc(summary, func(r rune) bool { return r == '(' || r == ')' || r == ' ' || r == '|' }) {
		if !strings.HasPrefix(f, "https://") || !strings.Contains(f, "jwt=") {
			continue
		}
		u, err := url.Parse(f)
		if err != nil {
			t.Fatalf("link %q: %v", f, err)
		}
		var c jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(u.Query().Get("jwt"), &c); err != nil || c.ExpiresAt == nil {
			t.Fatalf("link %s carries no readable token: %v", u.Path, err)
		}
		out[u.Path+" "+c.Subject+" "+strings.Join(c.Audience, ",")+" "+f[len(f)-8:]] = c.ExpiresAt.Time
	}
	return out
}

// withoutSummaries drops act's summary lines (the one place a private
// repository's links belong).
func withoutSummaries(lines []actLine) []actLine {
	var out []actLine
	for _, l := range lines {
		if l.Command != "summary" {
			out = append(out, l)
		}
	}
	return out
}

// rawLog is every message but the summaries.
func rawLog(r actRun) string {
	var b strings.Builder
	for _, l := range r.lines {
		b.WriteString(l.Msg + "\n")
	}
	return b.String()
}

// requireSecretsHidden fails when a generated secret (the JWT app secret
// among them) shows in a run's log, outputs or summaries, or in comment.
func requireSecretsHidden(t *testing.T, b *bed, r actRun, comment string) {
	t.Helper()
	if len(b.out.SecretParameterNames) == 0 || b.out.JWTSecretParameterName == "" {
		t.Fatalf("the stack names no secret parameters (jwt: %q)", b.out.JWTSecretParameterName)
	}
	params, err := ssm.NewFromConfig(b.cfg).GetParameters(context.Background(), &ssm.GetParametersInput{Names: b.out.SecretParameterNames, WithDecryption: aws.Bool(true)})
	if err != nil || len(params.Parameters) != len(b.out.SecretParameterNames) {
		t.Fatalf("read the secrets %v: %v", b.out.SecretParameterNames, err)
	}
	for _, p := range params.Parameters {
		v := aws.ToString(p.Value)
		if p.Type != ssmtypes.ParameterTypeSecureString || len(v) < 32 {
			t.Errorf("%s: %s of %d characters, want a generated SecureString", aws.ToString(p.Name), p.Type, len(v))
			continue
		}
		if strings.Contains(r.log, v) || strings.Contains(comment, v) {
			t.Errorf("the value of %s is in the run's log or the comment", aws.ToString(p.Name))
		}
	}
}

// requireTerminalLinks runs `jitsictl session links` as a person would from a
// laptop and checks the links against the stack's secret: one moderator and
// one guest link per room, each accepted by Prosody's rules for its room and
// expiring with the session.
func (b *bed) requireTerminalLinks(t *testing.T, env map[string]string, rec session.Record) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Run(testbed.Context(t), []string{"session", "links", "--dir", b.st.Dir, "--rooms", "solo,duo", "--output", "json"},
		cli.Env{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr}); code != 0 {
		t.Fatalf("jitsictl session links: exit %d\n%s", code, stderr.String())
	}
	var doc struct{ Links []token.SessionLink }
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("session links --output json: %v\n%s", err, stdout.String())
	}
	p, err := ssm.NewFromConfig(b.cfg).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(b.out.JWTSecretParameterName), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	s := token.Settings{AppID: b.out.JWTAppID, Secret: aws.ToString(p.Parameter.Value), Domain: b.out.XMPPDomain}
	var got []string
	for _, l := range doc.Links {
		got = append(got, l.Role+":"+l.Room)
		u, err := url.Parse(l.URL)
		if err != nil || !strings.HasPrefix(l.URL, rec.URL) {
			t.Errorf("link %s is not under the meeting URL %s", u.Path, rec.URL)
			continue
		}
		c, err := token.Verify(s, u.Query().Get("jwt"), l.Room, time.Now())
		if err != nil {
			t.Errorf("%s link for %s: %v", l.Role, l.Room, err)
			continue
		}
		if !c.ExpiresAt.Time.Equal(rec.ExpiresAt.Truncate(time.Second)) {
			t.Errorf("%s link for %s expires %s, want the session's %s", l.Role, l.Room, c.ExpiresAt.Time, rec.ExpiresAt)
		}
		if _, err := token.Verify(s, u.Query().Get("jwt"), "elsewhere", time.Now()); (err == nil) != (l.Role == token.RoleModerator) {
			t.Errorf("%s link for %s in another room: %v (only the moderator's is good everywhere)", l.Role, l.Room, err)
		}
	}
	if want := "moderator:solo guest:solo guest:duo"; strings.Join(got, " ") != want {
		t.Errorf("links %v, want %s", got, want)
	}
}
