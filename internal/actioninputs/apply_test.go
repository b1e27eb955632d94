package actioninputs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/report"
)

// toy is a small tree: tool session {open,close} with --hours, a global --dir.
func toy(ran *[]string) *cobra.Command {
	root := &cobra.Command{Use: "tool"}
	root.PersistentFlags().String("dir", "terraform", "stack")
	session := &cobra.Command{Use: "session"}
	for _, name := range []string{"open", "close"} {
		c := &cobra.Command{Use: name, Args: cobra.NoArgs, RunE: func(c *cobra.Command, args []string) error {
			h, _ := c.Flags().GetInt("hours")
			if h > 12 {
				return report.Usagef("--hours %d is out of range", h)
			}
			*ran = append(*ran, c.Name())
			return nil
		}}
		if name == "open" {
			c.Flags().Int("hours", 2, "hours")
		}
		session.AddCommand(c)
	}
	root.AddCommand(session)
	return root
}

var (
	sessionAct = Action{Name: "session", Command: "session", Pick: "action", Choices: []string{"open", "close"},
		Inputs: []Input{{Name: "hours", Flag: "hours"}}}
	runAct = Action{Name: "run"}
)

func TestTargetSetsTheFlagsTheInputsName(t *testing.T) {
	t.Parallel()
	var ran []string
	in := map[string]string{"action": "open", "hours": "4", "working-directory": "stack"}
	c, _, err := sessionAct.Target(toy(&ran), func(k string) string { return in[k] })
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := c.Flags().GetInt("hours"); c.Name() != "open" || h != 4 || c.Flags().Lookup("dir").Value.String() != "stack" {
		t.Errorf("target %s, --hours %d, --dir %s", c.Name(), h, c.Flags().Lookup("dir").Value)
	}
	// close has no --hours: the input is not used.
	in = map[string]string{"action": "close", "hours": "4"}
	if c, _, err = sessionAct.Target(toy(&ran), func(k string) string { return in[k] }); err != nil || c.Name() != "close" {
		t.Errorf("close: %v, %v", c, err)
	}
	// The args input is split like a shell would, and never run by one.
	in = map[string]string{"args": `session open --hours "5"`}
	if c, _, err = runAct.Target(toy(&ran), func(k string) string { return in[k] }); err != nil || c.Flags().Lookup("hours").Value.String() != "5" {
		t.Errorf("run: %v, %v", c, err)
	}
}

func TestTargetRefusesBadInputsAsUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		act  Action
		in   map[string]string
		want string
	}{
		{sessionAct, map[string]string{"action": "teleport"}, `input action "teleport": use open or close`},
		{sessionAct, map[string]string{"action": "open", "hours": "2; rm -rf /"}, "input hours: --hours must be a whole number"},
		{runAct, map[string]string{"args": ""}, "input args is empty"},
		{runAct, map[string]string{"args": `session "open`}, "input args:"},
		{runAct, map[string]string{"args": "gha session"}, "cannot start with gha"},
		{runAct, map[string]string{"args": "session open --minutes 3"}, "unknown flag: --minutes"},
	} {
		var ran []string
		_, _, err := c.act.Target(toy(&ran), func(k string) string { return c.in[k] })
		if !errors.As(err, new(report.UsageError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v; want bad input saying %q", c.act.Name, c.in, err, c.want)
		}
	}
}

func TestExecuteChecksSetsUpAndNamesTheInputs(t *testing.T) {
	t.Parallel()
	var ran []string
	run := func(in map[string]string, setup func(*cobra.Command) error) error {
		c, args, err := sessionAct.Target(toy(&ran), func(k string) string { return in[k] })
		if err != nil {
			return err
		}
		return Execute(context.Background(), c, args, setup)
	}
	setupRan := 0
	ok := func(*cobra.Command) error { setupRan++; return nil }
	if err := run(map[string]string{"action": "open"}, ok); err != nil || setupRan != 1 || len(ran) != 1 {
		t.Errorf("open: %v; setup ran %d times, command %v", err, setupRan, ran)
	}
	err := run(map[string]string{"action": "open", "hours": "13"}, ok)
	if !errors.As(err, new(report.UsageError)) || !strings.Contains(err.Error(), `input hours "13" → --hours`) {
		t.Errorf("hours 13: %v; want the inputs named", err)
	}
	failing := errors.New("bad --region")
	if err := run(map[string]string{"action": "close"}, func(*cobra.Command) error { return failing }); !errors.Is(err, failing) || len(ran) != 1 {
		t.Errorf("setup failing: %v, command ran %v", err, ran)
	}
}
