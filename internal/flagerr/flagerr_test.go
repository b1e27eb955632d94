package flagerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/jitsictl/jitsictl/internal/report"
)

// room is a flag value type of the caller's: its own check says what is wrong.
type room string

func (r *room) String() string { return string(*r) }
func (r *room) Type() string   { return "room" }
func (r *room) Set(s string) error {
	if strings.Contains(s, "/") {
		return fmt.Errorf("room %q has a slash", s)
	}
	*r = room(s)
	return nil
}

func tree() *cobra.Command {
	root := &cobra.Command{Use: "tool", SilenceErrors: true, SilenceUsage: true}
	open := &cobra.Command{Use: "open", RunE: func(*cobra.Command, []string) error { return nil }}
	open.Flags().Int("hours", 2, "how long it stays open")
	open.Flags().Int("count", 1, "how many")
	open.Flags().Bool("now", false, "at once")
	open.Flags().String("name", "", "what to call it")
	open.Flags().Var(new(room), "room", "the room")
	open.Flags().Float32("ratio", 1, "a float32")
	root.AddCommand(open)
	Describe(root, map[string]map[string]string{"tool open": {"hours": "a whole number of hours, 1 to 12"}})
	root.SetFlagErrorFunc(Explain)
	return root
}

func TestExplainSaysWhatAValidValueIs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"open", "--hours", "abc"}, `--hours must be a whole number of hours, 1 to 12, not "abc"`},
		{[]string{"open", "--count", "x"}, `--count must be a whole number, not "x"`},
		{[]string{"open", "--now=yes"}, `--now must be true or false (or give the flag alone for true), not "yes"`},
		{[]string{"open", "--room", "a/b"}, `--room: room "a/b" has a slash`},
		{[]string{"open", "--ratio", "x"}, `--ratio: strconv.ParseFloat: parsing "x"`}, // no words for float32
		{[]string{"open", "--ratio"}, "--ratio needs a value: a float32 (a float32)"},
		{[]string{"open", "--hours"}, "--hours needs a value: a whole number of hours, 1 to 12 (how long it stays open)"},
		{[]string{"open", "--name"}, "--name needs a value: what to call it"},
		{[]string{"open", "--colour", "red"}, "unknown flag: --colour"},
	} {
		root := tree()
		root.SetArgs(c.args)
		err := root.Execute()
		if !errors.As(err, new(report.UsageError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v; want bad input saying %q", c.args, err, c.want)
		}
	}
}

func TestDescribeRefusesACommandOrFlagThatIsNotThere(t *testing.T) {
	t.Parallel()
	for _, words := range []map[string]map[string]string{
		{"tool close": {"hours": "x"}},
		{"tool open": {"minutes": "x"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Describe(%v) did not panic", words)
				}
			}()
			Describe(tree(), words)
		}()
	}
}

func TestIsCobraUsage(t *testing.T) {
	t.Parallel()
	root := tree()
	root.SetArgs([]string{"opn"})
	if err := root.Execute(); err == nil || !IsCobraUsage(err) {
		t.Errorf("unknown command: %v is not usage", err)
	}
	if IsCobraUsage(errors.New("dial tcp: connection refused")) {
		t.Error("a network error counts as usage")
	}
}
