package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sethvargo/go-githubactions"
)

// actions is the GitHub Actions face: one go-githubactions Action with the
// injected getenv and writer, so tests can read exactly what a runner would.
type actions struct {
	mu      sync.Mutex
	gha     *githubactions.Action
	now     func() time.Time
	started map[string]time.Time
	mask    masker
	lastLog map[string]time.Time
	out     io.Writer
}

func newActions(o Options) *actions {
	return &actions{
		gha:     githubactions.New(githubactions.WithGetenv(o.Getenv), githubactions.WithWriter(o.Stdout)),
		now:     o.Now,
		started: map[string]time.Time{},
		lastLog: map[string]time.Time{},
		out:     o.Stdout,
	}
}

func (a *actions) Begin(step string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.started[step] = a.now()
	a.gha.Group(a.mask.apply(step))
}

func (a *actions) End(step string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.now().Sub(a.started[step]).Round(100 * time.Millisecond)
	if err != nil {
		a.gha.Errorf("%s failed after %s: %s", step, d, a.mask.apply(err.Error()))
	} else {
		a.gha.Infof("%s done in %s\n", step, d)
	}
	a.gha.EndGroup()
}

// Wait logs at most every 10 s per awaited thing: Actions logs have no
// in-place redraw, and a line per poll buries everything else.
func (a *actions) Wait(what, state string, elapsed, limit time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if last, ok := a.lastLog[what]; ok && a.now().Sub(last) < 10*time.Second {
		return
	}
	a.lastLog[what] = a.now()
	a.gha.Infof("%s\n", a.mask.apply(fmt.Sprintf("waiting for %s: %s (%s of %s)", what, state, elapsed.Round(time.Second), limit)))
}

func (a *actions) Infof(format string, args ...any) {
	a.gha.Infof("%s\n", a.mask.apply(fmt.Sprintf(format, args...)))
}
func (a *actions) Warnf(format string, args ...any) {
	a.gha.Warningf("%s", a.mask.apply(fmt.Sprintf(format, args...)))
}
func (a *actions) Errorf(format string, args ...any) {
	a.gha.Errorf("%s", a.mask.apply(fmt.Sprintf(format, args...)))
}

// Output writes a step output. The value is masked first: an output is
// visible to every later step and in the UI, so a secret must never be one.
func (a *actions) Output(name, value string) { a.gha.SetOutput(name, a.mask.apply(value)) }

func (a *actions) Mask(secret string) {
	a.mask.add(secret)
	a.gha.AddMask(secret)
}

func (a *actions) Summary(markdown string) { a.gha.AddStepSummary(a.mask.apply(markdown)) }
func (a *actions) Result(any)              {}
func (a *actions) Close() error            { return nil }
