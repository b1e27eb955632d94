// Package probe runs reachability probes (TCP, HTTPS, UDP/STUN) and a bounded,
// order-preserving runner for any list of checks. Each probe answers with a
// Result whose Status says how much it actually proved.
package probe

import (
	"encoding/json"
	"time"
)

// Status is the outcome of one check.
type Status string

const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Warn Status = "WARN"
	// Unconfirmed means the probe could neither prove nor disprove the
	// property, e.g. silence from a UDP port that never answers strangers.
	Unconfirmed Status = "UNCONFIRMED"
)

// Result is one line of a verify report.
type Result struct {
	Check    string
	Target   string
	Status   Status
	Reason   string
	Duration time.Duration
}

type resultJSON struct {
	Check      string  `json:"check"`
	Target     string  `json:"target"`
	Status     Status  `json:"status"`
	Reason     string  `json:"reason"`
	DurationMS float64 `json:"duration_ms"`
}

// MarshalJSON writes the duration in milliseconds, which readers of a JSON
// report (jq, dashboards) handle better than Go's nanosecond integers.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultJSON{
		Check: r.Check, Target: r.Target, Status: r.Status, Reason: r.Reason,
		DurationMS: float64(r.Duration.Microseconds()) / 1000,
	})
}

// UnmarshalJSON is the inverse of MarshalJSON.
func (r *Result) UnmarshalJSON(b []byte) error {
	var j resultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result{Check: j.Check, Target: j.Target, Status: j.Status, Reason: j.Reason,
		Duration: time.Duration(j.DurationMS * float64(time.Millisecond))}
	return nil
}
