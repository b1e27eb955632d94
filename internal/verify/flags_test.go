package verify

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/report"
)

func TestValidateRefusesLimitsOutOfRange(t *testing.T) {
	t.Parallel()
	ok := Deps{STUN: probe.STUNOptions{Attempts: 3, Timeout: time.Second}, CheckTimeout: 20 * time.Second, Concurrency: 8}
	if err := ok.Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	for name, change := range map[string]func(*Deps){
		"no attempts":           func(d *Deps) { d.STUN.Attempts = 0 },
		"100 attempts":          func(d *Deps) { d.STUN.Attempts = 100 },
		"zero STUN timeout":     func(d *Deps) { d.STUN.Timeout = 0 },
		"STUN beyond the check": func(d *Deps) { d.STUN.Timeout = 21 * time.Second },
		"no check timeout":      func(d *Deps) { d.CheckTimeout = 0 },
		"no concurrency":        func(d *Deps) { d.Concurrency = 0 },
	} {
		d := ok
		change(&d)
		if err := d.Validate(); !errors.As(err, new(report.UsageError)) {
			t.Errorf("%s: %v, want bad input", name, err)
		}
	}
}

func TestResultPublishFailsOnAFailedCheck(t *testing.T) {
	t.Parallel()
	r, _ := report.New(report.Options{Stdout: io.Discard, Stderr: io.Discard})
	pass := Result{Report: Report{Results: []probe.Result{{Check: "https", Status: probe.Pass}}}}
	var text strings.Builder
	if err := pass.Publish(r, &text); err != nil || !strings.Contains(text.String(), "https") {
		t.Errorf("all pass: %v, text %q", err, text.String())
	}
	fail := Result{Report: Report{Results: []probe.Result{{Check: "udp", Status: probe.Fail}, {Check: "tcp", Status: probe.Pass}}}}
	if err := fail.Publish(r, nil); !errors.As(err, new(report.FailedError)) || err.Error() != "verify: 1 checks failed" {
		t.Errorf("a failed check: %v", err)
	}
}
