// Package flagerr turns cobra's and pflag's parse errors into sentences a
// user can act on, each a report.UsageError (bad input: exit 2):
// `--hours must be a whole number of hours, 1 to 12, not "abc"` instead of
// `strconv.ParseInt: parsing "abc": invalid syntax`.
package flagerr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jitsictl/jitsictl/internal/report"
)

// IsCobraUsage recognises cobra's own parse errors (unknown command or flag, missing value).
func IsCobraUsage(err error) bool {
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

// Describe puts words on flags of the tree under root whose valid values need
// more than their type's words: command path ("jitsictl session open") →
// flag name → words. A path or flag that does not exist panics: a renamed
// command or flag, caught by every test that builds the tree.
func Describe(root *cobra.Command, words map[string]map[string]string) {
	for path, flags := range words {
		c, _, err := root.Find(strings.Fields(path)[1:])
		if err != nil || c.CommandPath() != path {
			panic(fmt.Sprintf("flagerr.Describe: no command %q", path))
		}
		for name, w := range flags {
			if err := c.Flags().SetAnnotation(name, expectsKey, []string{w}); err != nil {
				panic(fmt.Sprintf("%s: %v", path, err))
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

// Explain turns a flag parse error into bad input saying what a valid value
// is; its signature is cobra's FlagErrorFunc.
func Explain(_ *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	var missing *pflag.ValueRequiredError
	switch {
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		if _, typed := typeWords[f.Value.Type()]; !typed && len(f.Annotations[expectsKey]) == 0 {
			// A value type of the caller's (--rooms): its own check says what is wrong.
			return report.Usagef("--%s: %v", f.Name, errors.Unwrap(invalid))
		}
		return report.Usagef("--%s must be %s, not %q", f.Name, expectedValue(f), invalid.GetValue())
	case errors.As(err, &missing):
		f := missing.GetFlag()
		if f.Value.Type() == "string" {
			return report.Usagef("--%s needs a value: %s", f.Name, strings.TrimSpace(f.Usage))
		}
		return report.Usagef("--%s needs a value: %s (%s)", f.Name, expectedValue(f), strings.TrimSpace(f.Usage))
	}
	return report.UsageError{Err: err}
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
