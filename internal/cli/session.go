package cli

import (
	"fmt"
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
			return Usagef("session needs an action: open, close, extend, status, reap or links")
		},
	}
	cmd.PersistentFlags().StringVar(&a.sessionConfig, "config", "jitsictl.yaml", "file with the session settings (linger); missing: the defaults")
	cmd.AddCommand(newSessionOpen(a), newSessionClose(a), newSessionExtend(a), newSessionStatus(a), newSessionReap(a), newSessionLinks(a))
	return cmd
}

func newSessionOpen(a *App) *cobra.Command {
	var hours int
	var rooms token.Rooms
	c := &cobra.Command{
		Use:   "open",
		Short: "Create the NLB and start the task; print the meeting URL",
		Example: `  jitsictl session open --hours 2
  jitsictl session open --hours 4 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.sessionCommands().Open(cmd.Context(), session.OpenOptions{Hours: hours, OpenedBy: a.run().Who(), RunURL: a.run().RunURL(), Rooms: rooms.OrDefault()})
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
			return a.sessionCommands().Close(cmd.Context(), session.CloseOptions{Reason: reason, Force: force, Now: now})
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
			return a.sessionCommands().Extend(cmd.Context(), hours)
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
			return a.sessionCommands().Status(cmd.Context())
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
			return a.sessionCommands().Reap(cmd.Context(), session.ReapOptions{IdleAfter: idle})
		},
	}
	c.Flags().DurationVar(&idle, "idle-after", 30*time.Minute, "close an open session after this long without media (0 disables)")
	a.reaperFlag(c)
	return c
}

func newSessionLinks(a *App) *cobra.Command {
	var rooms token.Rooms
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
			return a.sessionCommands().Links(cmd.Context(), rooms.List)
		},
	}
	roomsFlag(c, &rooms)
	return c
}

// roomsFlag adds --rooms, checked by token.ParseRooms while flags are read.
func roomsFlag(c *cobra.Command, rooms *token.Rooms) {
	c.Flags().Var(rooms, "rooms", fmt.Sprintf("comma-separated meeting rooms to mint guest links for (lowercase a-z, 0-9, -; default %q)", token.DefaultRoom))
}
