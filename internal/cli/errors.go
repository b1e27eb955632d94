package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
)

// usageError marks bad input, in cli as in the capability packages: Run exits
// with ExitUsage before touching anything.
type usageError = report.UsageError

// isUsage says err is bad input, found in cli or in a capability package.
func isUsage(err error) bool { return errors.As(err, new(usageError)) }

// Usagef returns a bad-input error.
func Usagef(format string, args ...any) error { return report.Usagef(format, args...) }

// Failed ends a command whose failure the Reporter has already shown: Run
// exits 1 without printing it again.
func Failed(format string, args ...any) error { return report.Failedf(format, args...) }

// isCobraUsage recognises cobra's own parse errors (unknown command or flag, missing value).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// expectsKey annotates a flag with the words that describe a valid value, for
// flags whose type alone says too little ("a whole number" for --hours).
const expectsKey = "jitsictl-expects"

// valueWords are the flags whose valid values need more than their type's words.
var valueWords = map[string]map[string]string{
	"jitsictl session open":   {"hours": fmt.Sprintf("a whole number of hours, %d to %d", session.MinHours, session.MaxHours)},
	"jitsictl session extend": {"hours": fmt.Sprintf("a whole number of hours to add, %d to %d", session.MinHours, session.MaxHours)},
	"jitsictl cost":           {"hours": "whole numbers of hours a month separated by commas, such as 10,50,100"},
}

// describeFlagValues puts valueWords on the flags of the tree under root.
func describeFlagValues(root *cobra.Command) {
	for _, c := range allCommands(root) {
		for name, words := range valueWords[c.CommandPath()] {
			if err := c.Flags().SetAnnotation(name, expectsKey, []string{words}); err != nil {
				panic(fmt.Sprintf("%s: %v", c.CommandPath(), err)) // a renamed flag: caught by every test
			}
		}
	}
}

// typeWords describe a valid value of each flag type pflag can reject.
var typeWords = map[string]string{
	"int": "a whole number", "int32": "a whole number", "int64": "a whole number",
	"uint": "a whole number, 0 or more", "uint64": "a whole number, 0 or more",
	"float64":  "a number",
	"bool":     "true or false (or give the flag alone for true)",
	"duration": "a duration with its unit, such as 30m, 1h or 1h30m",
	"intSlice": "whole numbers separated by commas", "int64Slice": "whole numbers separated by commas",
	"stringSlice": "values separated by commas",
}

// flagError turns pflag's parse errors into sentences a user can act on:
// `--hours must be a whole number of hours, 1 to 12, not "abc"` instead of
// `strconv.ParseInt: parsing "abc": invalid syntax`.
func flagError(_ *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	var missing *pflag.ValueRequiredError
	switch {
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		if _, typed := typeWords[f.Value.Type()]; !typed && len(f.Annotations[expectsKey]) == 0 {
			// A value type of ours (--rooms): its own check says what is wrong.
			return Usagef("--%s: %v", f.Name, errors.Unwrap(invalid))
		}
		return Usagef("--%s must be %s, not %q", f.Name, expectedValue(f), invalid.GetValue())
	case errors.As(err, &missing):
		f := missing.GetFlag()
		if f.Value.Type() == "string" {
			return Usagef("--%s needs a value: %s", f.Name, strings.TrimSpace(f.Usage))
		}
		return Usagef("--%s needs a value: %s (%s)", f.Name, expectedValue(f), strings.TrimSpace(f.Usage))
	}
	return usageError{Err: err}
}

func expectedValue(f *pflag.Flag) string {
	if w := f.Annotations[expectsKey]; len(w) > 0 {
		return w[0]
	}
	if w, ok := typeWords[f.Value.Type()]; ok {
		return w
	}
	return "a " + f.Value.Type()
}
