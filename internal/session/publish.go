package session

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/jitsictl/jitsictl/internal/outputs"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/token"
)

// Publisher shows what the session commands did: step outputs, the job
// summary, and the meeting links where showing them is safe.
type Publisher struct {
	Report report.Reporter
	// Actions: a GitHub Actions run; Private: its repository's pages only its
	// members read (links may go to its job summary).
	Actions, Private bool
	// Terminal gets the links table when a person reads the text face; nil otherwise.
	Terminal io.Writer
	// SSM reads the JWT app secret named in Outputs when links are minted.
	SSM     ParameterReader
	Outputs outputs.Outputs
	// Zone is the time zone of the summary's "open until" (a runner's is UTC unless the job sets TZ).
	Zone *time.Location
}

// ParameterReader is the part of the SSM client that reads the JWT app secret.
type ParameterReader interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Record publishes a session's outputs and, with a title, its job summary
// (meeting, expiry, next steps, timeline) and where the open's time went.
func (p Publisher) Record(rec Record, title string) {
	if rec.State == "" {
		return
	}
	r := p.Report
	r.Result(rec)
	r.Output("state", string(rec.State))
	if rec.URL != "" {
		r.Output("url", rec.URL)
	}
	if len(rec.Addresses) > 0 {
		r.Output("addresses", strings.Join(rec.Addresses, ","))
	}
	if !rec.ExpiresAt.IsZero() && rec.State == StateOpen {
		r.Output("expires-at", rec.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if rec.State == StateLingering {
		r.Output("lingering-until", rec.LingerUntil.UTC().Format(time.RFC3339))
	}
	if title == "" {
		return
	}
	r.Summary(Summary(title, rec, p.Zone))
	if rec.State != StateOpen && rec.State != StateOpening {
		return
	}
	if t := PhaseTable(rec); t != "" {
		r.Summary("\n#### Where the time went\n\n" + t)
	}
}

// Status publishes `session status`.
func (p Publisher) Status(st Status) {
	r := p.Report
	r.Result(st)
	r.Output("state", string(st.State))
	for _, o := range [][2]string{{"url", st.URL}, {"time-left", st.TimeLeft}, {"guard-fires-at", st.GuardFiresAt}, {"ended", st.Ended}, {"lingering-until", st.LingeringUntil}} {
		if o[1] != "" {
			r.Output(o[0], o[1])
		}
	}
	if st.LingeringUntil != "" {
		r.Infof("closed, %s", st.Lingering)
	}
	if st.Expired != "" {
		r.Warnf("the session %s", st.Expired)
	}
	if st.LastError != "" {
		r.Warnf("last error: %s", st.LastError)
	}
}

// Reap publishes `session reap`.
func (p Publisher) Reap(res ReapResult) {
	p.Report.Result(res)
	p.Report.Output("reap", res.Action)
	if res.Reaper != "" {
		p.Report.Output("reaper", res.Reaper)
	}
	if res.Detail != "" && res.Action != "skipped" { // Reap said it already
		p.Report.Infof("reap: %s (%s)", res.Action, res.Detail)
	}
}

// OpenForLinks is the record of the open session links are minted for, with
// the rooms to mint: rooms when given, else the ones it was opened with.
func OpenForLinks(ctx context.Context, store Store, rooms []string) (Record, []string, error) {
	v, err := store.Load(ctx)
	if err != nil {
		return Record{}, nil, err
	}
	if v.State != StateOpen || !time.Now().Before(v.ExpiresAt) {
		return Record{}, nil, fmt.Errorf("no open session (state %s): links are only minted for an open session; open one with `jitsictl session open`", v.State)
	}
	if len(rooms) == 0 {
		rooms = v.Rooms
	}
	return v.Record, rooms, nil
}

// LinksAfter publishes the links of a session open or extend just produced.
// The session itself stands either way; a failure says how to mint the links
// again.
func (p Publisher) LinksAfter(ctx context.Context, rec Record, rooms []string) error {
	if rec.State != StateOpen {
		return nil
	}
	if len(rec.Rooms) > 0 {
		rooms = rec.Rooms // an already open session keeps the rooms it was opened with
	}
	if err := p.Links(ctx, rec, rooms); err != nil {
		return fmt.Errorf("the session is open until %s, but its links could not be minted: %w; retry with `jitsictl session links`", rec.ExpiresAt.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// Links mints a session's links and shows them where that is safe. On a
// terminal (a person with AWS credentials asked) they are printed. In GitHub
// Actions they never reach the log or step outputs: a private repository's
// job summary lists them; a public one's says how to get them. No
// ::add-mask:: either: the runner scrubs step summaries with the same masks
// (actions/runner CreateStepSummaryCommand), which would blank them.
func (p Publisher) Links(ctx context.Context, rec Record, rooms []string) error {
	if len(rooms) == 0 {
		rooms = []string{token.DefaultRoom}
	}
	until := rec.ExpiresAt.UTC().Format(time.RFC3339)
	if p.Actions && !p.Private {
		p.Report.Summary(token.PublicLinksSummary(rooms, rec.ExpiresAt))
		p.Report.Infof("meeting links are not shown in a public repository; run `jitsictl session links` with AWS credentials to get them")
		return nil
	}
	links, err := p.mintLinks(ctx, rec, rooms)
	if err != nil {
		return err
	}
	if p.Actions {
		p.Report.Summary(token.LinksSummary(links))
		p.Report.Infof("%d meeting links (valid until %s) are in the job summary", len(links), until)
		return nil
	}
	p.Report.Result(struct {
		Links []token.SessionLink `json:"links"`
	}{links})
	if p.Terminal != nil {
		for _, l := range links {
			fmt.Fprintf(p.Terminal, "%-9s %-20s %s\n", l.Role, l.Room, l.URL)
		}
		p.Report.Infof("links are valid until %s; anyone holding one can join: share them privately", until)
	}
	return nil
}

// mintLinks signs a session's links with the app secret, read at run time
// from SSM (the session role may decrypt it; the plan role may not).
func (p Publisher) mintLinks(ctx context.Context, rec Record, rooms []string) ([]token.SessionLink, error) {
	out := p.Outputs
	if out.JWTSecretParameterName == "" || out.JWTAppID == "" {
		return nil, fmt.Errorf("the stack has no JWT settings (jwt_secret_parameter_name output is empty): deploy this version of terraform/ first (jitsictl deploy apply)")
	}
	param, err := p.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(out.JWTSecretParameterName), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the JWT app secret %s (the session role may, the plan role may not): %w", out.JWTSecretParameterName, err)
	}
	s := token.Settings{AppID: out.JWTAppID, Secret: aws.ToString(param.Parameter.Value), Domain: out.XMPPDomain}
	from := rec.OpenedAt
	if from.IsZero() { // a record from before opened_at was kept
		from = time.Now()
	}
	return token.SessionLinks(s, rec.URL, rooms, from, rec.ExpiresAt)
}
