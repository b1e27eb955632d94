package report

import "fmt"

// UsageError marks bad input: the command exits 2 before touching anything.
// Capability packages return it for a value they refuse, so the one check
// that owns a value also decides its exit code.
type UsageError struct{ Err error }

func (u UsageError) Error() string { return u.Err.Error() }
func (u UsageError) Unwrap() error { return u.Err }

// Usagef returns a bad-input error.
func Usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }

// FailedError says the command already reported its failure (e.g. a FAIL
// row): the run exits 1 without printing it again.
type FailedError struct{ Msg string }

func (f FailedError) Error() string { return f.Msg }

// Failedf ends a command whose failure the Reporter has already shown.
func Failedf(format string, args ...any) error { return FailedError{fmt.Sprintf(format, args...)} }
