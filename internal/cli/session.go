package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/token"
)

func init() { register(newSessionCmd) }

func newSessionCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "session",
		Short: "Open, close, extend and inspect the on-demand meeting session",
		Long: `A session is the part of Jitsi that exists only while people meet: the NLB
with its Elastic IPs and the Fargate task. Every subcommand is safe to repeat.`,
		Example: `  jitsictl session open --hours 2
  jitsictl session status
  jitsictl session close`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Usagef("session needs an action: open, close, extend, status or reap")
		},
	}
	cmd.PersistentFlags().StringVar(&a.sessionConfig, "config", "jitsictl.yaml", "file with the session settings (linger); missing: the defaults")
	cmd.AddCommand(newSessionOpen(a), newSessionClose(a), newSessionExtend(a), newSessionStatus(a), newSessionReap(a), newSessionLinks(a))
	return cmd
}

func newSessionOpen(a *App) *cobra.Command {
	var hours int
	var rooms string
	c := &cobra.Command{
		Use:   "open",
		Short: "Create the NLB and start the task; print the meeting URL",
		Example: `  jitsictl session open --hours 2
  jitsictl session open --hours 4 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := session.ValidateHours(hours); err != nil {
				return usageError{err}
			}
			parsed, err := token.ParseRooms(rooms)
			if err != nil {
				return usageError{err}
			}
			m, err := a.sessionManager(cmd.Context())
			if err != nil {
				return err
			}
			rec, err := m.Open(cmd.Context(), session.OpenOptions{Hours: hours, OpenedBy: a.actor(), RunURL: a.runURL(), Rooms: parsed})
			a.reportRecord(rec, "Session open")
			if err != nil {
				return err
			}
			return a.sessionLinksAfter(cmd.Context(), rec, parsed)
		},
	}
	c.Flags().IntVar(&hours, "hours", 2, fmt.Sprintf("how long the session stays open (%d-%d)", session.MinHours, session.MaxHours))
	roomsFlag(c, &rooms)
	a.waitFlag(c)
	a.reaperFlag(c)
	return c
}

func newSessionClose(a *App) *cobra.Command {
	var force, now bool
	var reason string
	c := &cobra.Command{
		Use:   "close",
		Short: "Stop the task; remove the NLB when its paid hour ends (or --now) and sweep leftovers",
		Example: `  jitsictl session close
  jitsictl session close --now     # remove the NLB at once, no linger
  jitsictl session close --force   # take over from a run that is stuck`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := a.sessionManager(cmd.Context())
			if err != nil {
				return err
			}
			rec, err := m.Close(cmd.Context(), session.CloseOptions{Reason: reason, Force: force, Now: now})
			a.reportRecord(rec, "Session close")
			if err == nil {
				a.closeCost(cmd.Context(), rec)
			}
			return err
		},
	}
	c.Flags().BoolVar(&force, "force", false, "take over a session another run is opening or closing")
	c.Flags().BoolVar(&now, "now", false, "remove the NLB and its Elastic IPs at once instead of keeping them to the end of the paid hour for a reopen (also ends a linger)")
	c.Flags().StringVar(&reason, "reason", "requested", "why the session is closed (recorded)")
	a.waitFlag(c)
	return c
}

func newSessionExtend(a *App) *cobra.Command {
	var hours int
	c := &cobra.Command{
		Use:     "extend",
		Short:   "Move the expiry of the open session",
		Example: `  jitsictl session extend --hours 1`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := session.ValidateHours(hours); err != nil {
				return usageError{err}
			}
			m, err := a.sessionManager(cmd.Context())
			if err != nil {
				return err
			}
			rec, err := m.Extend(cmd.Context(), hours)
			if err != nil {
				return err
			}
			a.reportRecord(rec, "Session extend")
			return a.sessionLinksAfter(cmd.Context(), rec, rec.Rooms)
		},
	}
	c.Flags().IntVar(&hours, "hours", 1, fmt.Sprintf("hours to add (%d-%d)", session.MinHours, session.MaxHours))
	a.waitFlag(c)
	return c
}

func newSessionStatus(a *App) *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Short:   "Show the session's state, URL and time left",
		Example: `  jitsictl session status --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := a.sessionManager(cmd.Context())
			if err != nil {
				return err
			}
			st, err := m.Status(cmd.Context())
			if err != nil {
				return err
			}
			a.Reporter.Result(st)
			a.Reporter.Output("state", string(st.State))
			if st.URL != "" {
				a.Reporter.Output("url", st.URL)
			}
			if st.TimeLeft != "" {
				a.Reporter.Output("time-left", st.TimeLeft)
			}
			if st.GuardFiresAt != "" {
				a.Reporter.Output("guard-fires-at", st.GuardFiresAt)
			}
			if st.Ended != "" {
				a.Reporter.Output("ended", st.Ended)
			}
			if st.LingeringUntil != "" {
				a.Reporter.Output("lingering-until", st.LingeringUntil)
				a.Reporter.Infof("closed, %s", st.Lingering)
			}
			if st.Expired != "" {
				a.Reporter.Warnf("the session %s", st.Expired)
			}
			if st.LastError != "" {
				a.Reporter.Warnf("last error: %s", st.LastError)
			}
			return nil
		},
	}
}

func newSessionReap(a *App) *cobra.Command {
	var idle time.Duration
	c := &cobra.Command{
		Use:   "reap",
		Short: "Close expired, idle or abandoned sessions and sweep orphans (for the schedule)",
		Example: `  jitsictl session reap
  jitsictl session reap --idle-after 30m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if idle < 0 {
				return Usagef("--idle-after %s: must be positive (0 disables idle reaping)", idle)
			}
			m, err := a.sessionManager(cmd.Context())
			if err != nil {
				return err
			}
			res, err := m.Reap(cmd.Context(), session.ReapOptions{IdleAfter: idle})
			a.Reporter.Result(res)
			a.Reporter.Output("reap", res.Action)
			if res.Reaper != "" {
				a.Reporter.Output("reaper", res.Reaper)
			}
			if res.Detail != "" && res.Action != "skipped" { // Reap said it already
				a.Reporter.Infof("reap: %s (%s)", res.Action, res.Detail)
			}
			return err
		},
	}
	c.Flags().DurationVar(&idle, "idle-after", 30*time.Minute, "close an open session after this long without media (0 disables)")
	a.reaperFlag(c)
	return c
}

// reportRecord publishes a session's outputs and, in Actions, its timeline.
func (a *App) reportRecord(rec session.Record, title string) {
	if rec.State == "" {
		return
	}
	a.Reporter.Result(rec)
	a.Reporter.Output("state", string(rec.State))
	if rec.URL != "" {
		a.Reporter.Output("url", rec.URL)
	}
	if len(rec.Addresses) > 0 {
		a.Reporter.Output("addresses", strings.Join(rec.Addresses, ","))
	}
	if !rec.ExpiresAt.IsZero() && rec.State == session.StateOpen {
		a.Reporter.Output("expires-at", rec.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if rec.State == session.StateLingering {
		a.Reporter.Output("lingering-until", rec.LingerUntil.UTC().Format(time.RFC3339))
	}
	if title != "" {
		a.Reporter.Summary(session.Summary(title, rec, time.Local)) // a runner's zone is UTC unless the job sets TZ
		a.reportPhases(rec)
	}
}
