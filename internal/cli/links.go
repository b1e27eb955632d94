package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/token"
)

// roomsFlag adds --rooms; parse it with token.ParseRooms before any AWS call.
func roomsFlag(c *cobra.Command, rooms *string) {
	c.Flags().StringVar(rooms, "rooms", "", fmt.Sprintf("comma-separated meeting rooms to mint guest links for (lowercase a-z, 0-9, -; default %q)", token.DefaultRoom))
}

func newSessionLinks(a *App) *cobra.Command {
	var rooms string
	c := &cobra.Command{
		Use:   "links",
		Short: "Mint fresh meeting links for the open session (they expire with it)",
		Long: `Each link is a bearer credential: whoever holds it joins (a moderator link
also moderates). Run this with AWS credentials that may read the stack's JWT
secret, e.g. to invite one more guest; share links privately. In GitHub Actions
a public repository never shows them.`,
		Example: `  jitsictl session links
  jitsictl session links --rooms standup,review --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			parsed, err := token.ParseRooms(rooms)
			if err != nil {
				return usageError{err}
			}
			m, err := a.sessionManager(cmd.Context())
			if err != nil {
				return err
			}
			v, err := m.Store.Load(cmd.Context())
			if err != nil {
				return err
			}
			if v.State != session.StateOpen || !time.Now().Before(v.ExpiresAt) {
				return fmt.Errorf("no open session (state %s): links are only minted for an open session; open one with `jitsictl session open`", v.State)
			}
			if rooms == "" && len(v.Rooms) > 0 {
				parsed = v.Rooms
			}
			return a.publishLinks(cmd.Context(), v.Record, parsed)
		},
	}
	roomsFlag(c, &rooms)
	return c
}

// mintLinks signs a session's links with the app secret, read at run time
// from SSM (the session role may decrypt it; the plan role may not).
func (a *App) mintLinks(ctx context.Context, rec session.Record, rooms []string) ([]token.SessionLink, error) {
	out := a.stackOutputs
	if out.JWTSecretParameterName == "" || out.JWTAppID == "" {
		return nil, fmt.Errorf("the stack has no JWT settings (jwt_secret_parameter_name output is empty): deploy this version of terraform/ first (jitsictl deploy apply)")
	}
	cfg, err := a.AWS(ctx)
	if err != nil {
		return nil, err
	}
	p, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(out.JWTSecretParameterName), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the JWT app secret %s (the session role may, the plan role may not): %w", out.JWTSecretParameterName, err)
	}
	s := token.Settings{AppID: out.JWTAppID, Secret: aws.ToString(p.Parameter.Value), Domain: out.XMPPDomain}
	from := rec.OpenedAt
	if from.IsZero() { // a record from before opened_at was kept
		from = time.Now()
	}
	return token.SessionLinks(s, rec.URL, rooms, from, rec.ExpiresAt)
}

// publishLinks mints a session's links and shows them where that is safe. On
// a terminal (a person with AWS credentials asked) they are printed. In
// GitHub Actions they never reach the log or step outputs: a private
// repository's job summary lists them; a public one's says how to get them.
// No ::add-mask:: either: the runner scrubs step summaries with the same
// masks (actions/runner CreateStepSummaryCommand), which would blank them.
func (a *App) publishLinks(ctx context.Context, rec session.Record, rooms []string) error {
	if len(rooms) == 0 {
		rooms = []string{token.DefaultRoom}
	}
	rc := a.run()
	inActions := rc.Actions
	if inActions && !rc.Private() {
		a.Reporter.Summary(publicLinksSummary(rec, rooms))
		a.Reporter.Infof("meeting links are not shown in a public repository; run `jitsictl session links` with AWS credentials to get them")
		return nil
	}
	links, err := a.mintLinks(ctx, rec, rooms)
	if err != nil {
		return err
	}
	if inActions {
		a.Reporter.Summary(linksSummary(links))
		a.Reporter.Infof("%d meeting links (valid until %s) are in the job summary", len(links), rec.ExpiresAt.UTC().Format(time.RFC3339))
		return nil
	}
	a.Reporter.Result(struct {
		Links []token.SessionLink `json:"links"`
	}{links})
	if a.format == report.FormatText {
		for _, l := range links {
			fmt.Fprintf(a.Stdout, "%-9s %-20s %s\n", l.Role, l.Room, l.URL)
		}
		a.Reporter.Infof("links are valid until %s; anyone holding one can join: share them privately", rec.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// linksSummary is the private repository's job summary section.
func linksSummary(links []token.SessionLink) string {
	var b strings.Builder
	b.WriteString("### Meeting links\n\nAnyone holding a link can join until it expires: share each privately.\n\n| role | room | link | valid until |\n|---|---|---|---|\n")
	for _, l := range links {
		fmt.Fprintf(&b, "| %s | %s | [join %s](%s) | %s |\n", l.Role, l.Room, l.Room, l.URL, l.Expires.UTC().Format(time.RFC3339))
	}
	return b.String() + "\n"
}

// publicLinksSummary tells a public repository's readers how members get links.
func publicLinksSummary(rec session.Record, rooms []string) string {
	return fmt.Sprintf("### Meeting links\n\nThis repository is public (or its visibility is unknown), so links are not shown here: anyone could read them. "+
		"With AWS credentials for the stack, run\n\n```\njitsictl session links --rooms %s\n```\n\nLinks expire with the session (%s).\n\n",
		strings.Join(rooms, ","), rec.ExpiresAt.UTC().Format(time.RFC3339))
}

// sessionLinksAfter publishes the links of a session open or extend just
// produced. The session itself stands either way; a failure says how to
// mint the links again.
func (a *App) sessionLinksAfter(ctx context.Context, rec session.Record, rooms []string) error {
	if rec.State != session.StateOpen {
		return nil
	}
	if len(rec.Rooms) > 0 {
		rooms = rec.Rooms // an already open session keeps the rooms it was opened with
	}
	if err := a.publishLinks(ctx, rec, rooms); err != nil {
		return fmt.Errorf("the session is open until %s, but its links could not be minted: %w; retry with `jitsictl session links`", rec.ExpiresAt.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// appendRooms checks an Action's rooms input (untrusted) and passes it on as
// one --rooms= argument.
func appendRooms(args []string, rooms string) ([]string, error) {
	if rooms == "" {
		return args, nil
	}
	if _, err := token.ParseRooms(rooms); err != nil {
		return nil, fmt.Errorf("input rooms: %w", err)
	}
	return append(args, "--rooms="+rooms), nil
}
