// Package report is where every command's progress and results go. Commands
// never look at GITHUB_ACTIONS themselves: they talk to a Reporter, and the
// face chosen once in the CLI decides how it looks (terminal, Actions, JSON).
package report

import (
	"fmt"
	"io"
	"time"
)

// Reporter receives a command's progress and results.
type Reporter interface {
	// Begin and End bracket a named step (a folded group in Actions).
	Begin(step string)
	End(step string, err error)
	// Wait reports a long wait: what is awaited, its current state, time spent and the limit.
	Wait(what, state string, elapsed, limit time.Duration)
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Errorf(format string, args ...any)
	// Output publishes a named result (a step output in Actions, a field in JSON).
	Output(name, value string)
	// Mask hides a secret in every later log line (Actions masks it runner-side too).
	Mask(secret string)
	// Summary appends Markdown to the step summary (ignored on a terminal).
	Summary(markdown string)
	// Result is the command's whole result; the JSON face prints it, others ignore it.
	Result(v any)
	// Close flushes buffered output; call it once, at the end of a command.
	Close() error
}

// Format names a face.
type Format string

const (
	FormatText    Format = "text"
	FormatJSON    Format = "json"
	FormatActions Format = "actions"
)

// Options build a Reporter.
type Options struct {
	Format Format
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// TTY draws in-place progress on a terminal; plain lines otherwise.
	TTY bool
	// HideOutputs drops Output lines on the text face (JSON and Actions keep them).
	HideOutputs bool
	Now         func() time.Time
}

// New picks the face.
func New(o Options) (Reporter, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	switch o.Format {
	case FormatText, "":
		return newText(o), nil
	case FormatJSON:
		return newJSON(o), nil
	case FormatActions:
		return newActions(o), nil
	}
	return nil, fmt.Errorf("unknown output format %q: use text or json", o.Format)
}

// PickFormat is the face for --output: text or json as asked; unset, the
// Actions face in GitHub Actions and text elsewhere. Anything else is bad input.
func PickFormat(output string, inActions bool) (Format, error) {
	switch {
	case output == "" && inActions:
		return FormatActions, nil
	case output == "" || output == "text":
		return FormatText, nil
	case output == "json":
		return FormatJSON, nil
	}
	return "", Usagef("--output %q: use text or json", output)
}
