package report

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes of every command, documented in docs/cli.md.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and something failed (a check, a wait, an apply)
	ExitUsage   = 2 // bad input: nothing was touched
)

// Ending shows the error a command ended with, in the face it ran with.
type Ending struct {
	// Reporter is the command's; nil when it ended before one was picked.
	Reporter Reporter
	JSON     bool // --output json
	Stderr   io.Writer
	// Help is the command line that explains the command's usage ("jitsictl doctor --help").
	Help string
	// Explain adds what a failure means and how to recover (awsx.Explain); nil adds nothing.
	Explain func(error) error
}

// Exit shows err as its kind asks and returns the exit code: ExitOK without
// one; ExitFailure after a FailedError (already shown); ExitUsage for bad
// input (usage), with where to read the usage; ExitFailure for any other
// error, explained and shown by the Reporter, or on stderr when there is none.
func (e Ending) Exit(err error, usage bool) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, new(FailedError)):
		return ExitFailure
	case usage && e.JSON:
		WriteJSONError(e.Stderr, err.Error(), "run `"+e.Help+"` for usage", ExitUsage)
		return ExitUsage
	case usage:
		fmt.Fprintf(e.Stderr, "%sRun '%s' for usage.\n", Message(err.Error()), e.Help)
		return ExitUsage
	}
	if e.Explain != nil {
		err = e.Explain(err)
	}
	switch {
	case e.Reporter != nil:
		e.Reporter.Errorf("%v", err)
	case e.JSON:
		WriteJSONError(e.Stderr, err.Error(), "", ExitFailure)
	default:
		fmt.Fprint(e.Stderr, Message(err.Error()))
	}
	return ExitFailure
}
