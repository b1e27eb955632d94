package workflows

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/golang-jwt/jwt/v5"
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
