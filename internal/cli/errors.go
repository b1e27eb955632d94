package cli

import (
	"errors"
	"fmt"

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

// valueWords are the flags whose valid values need more than their type's
// words (flagerr.Describe puts them on the flags).
var valueWords = map[string]map[string]string{
	"jitsictl session open":   {"hours": fmt.Sprintf("a whole number of hours, %d to %d", session.MinHours, session.MaxHours)},
	"jitsictl session extend": {"hours": fmt.Sprintf("a whole number of hours to add, %d to %d", session.MinHours, session.MaxHours)},
	"jitsictl cost":           {"hours": "whole numbers of hours a month separated by commas, such as 10,50,100"},
}
