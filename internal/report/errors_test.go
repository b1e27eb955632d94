package report

import (
	"errors"
	"fmt"
	"testing"
)

func TestPickFormat(t *testing.T) {
	for _, c := range []struct {
		output    string
		inActions bool
		want      Format
	}{
		{"", false, FormatText}, {"", true, FormatActions}, {"text", true, FormatText}, {"json", true, FormatJSON}, {"json", false, FormatJSON},
	} {
		if got, err := PickFormat(c.output, c.inActions); got != c.want || err != nil {
			t.Errorf("PickFormat(%q, %v) = %q, %v; want %q", c.output, c.inActions, got, err, c.want)
		}
	}
	if _, err := PickFormat("yaml", false); !errors.As(err, new(UsageError)) {
		t.Errorf("--output yaml: %v; want bad input", err)
	}
}

// A usage or failed error stays recognisable when a caller wraps it.
func TestErrorKindsSurviveWrapping(t *testing.T) {
	if err := fmt.Errorf("deploy: %w", Usagef("--ref %q", "-x")); !errors.As(err, new(UsageError)) || err.Error() != `deploy: --ref "-x"` {
		t.Errorf("wrapped usage error: %v", err)
	}
	if err := fmt.Errorf("x: %w", Failedf("%d checks failed", 2)); !errors.As(err, new(FailedError)) {
		t.Errorf("wrapped failed error: %v", err)
	}
}
