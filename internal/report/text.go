package report

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// text is the terminal face: plain lines, and an in-place progress line on a TTY.
type text struct {
	mu      sync.Mutex
	out     io.Writer
	err     io.Writer
	tty     bool
	now     func() time.Time
	started map[string]time.Time
	mask    masker
	waiting bool
	hideOut bool
}

func newText(o Options) *text {
	return &text{out: o.Stdout, err: o.Stderr, tty: o.TTY, now: o.Now, started: map[string]time.Time{}, hideOut: o.HideOutputs}
}

func (t *text) line(w io.Writer, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waiting {
		fmt.Fprint(w, "\n")
		t.waiting = false
	}
	fmt.Fprintln(w, t.mask.apply(fmt.Sprintf(format, args...)))
}

func (t *text) Begin(step string) {
	t.mu.Lock()
	t.started[step] = t.now()
	t.mu.Unlock()
	t.line(t.err, "==> %s", step)
}

func (t *text) End(step string, err error) {
	t.mu.Lock()
	d := t.now().Sub(t.started[step]).Round(100 * time.Millisecond)
	t.mu.Unlock()
	if err != nil {
		t.line(t.err, "<== %s failed after %s: %v", step, d, err)
		return
	}
	t.line(t.err, "<== %s done in %s", step, d)
}

func (t *text) Wait(what, state string, elapsed, limit time.Duration) {
	msg := t.mask.apply(fmt.Sprintf("    waiting for %s: %s (%s of %s)", what, state, elapsed.Round(time.Second), limit))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tty {
		fmt.Fprintf(t.err, "\r\033[K%s", msg)
		t.waiting = true
		return
	}
	fmt.Fprintln(t.err, msg)
}

func (t *text) Infof(format string, args ...any)  { t.line(t.err, format, args...) }
func (t *text) Warnf(format string, args ...any)  { t.line(t.err, "warning: "+format, args...) }
func (t *text) Errorf(format string, args ...any) { t.line(t.err, "error: "+format, args...) }
func (t *text) Output(name, value string) {
	if !t.hideOut {
		t.line(t.out, "%s: %s", name, value)
	}
}
func (t *text) Mask(secret string) { t.mask.add(secret) }
func (t *text) Summary(string)     {}
func (t *text) Result(any)         {}
func (t *text) Close() error       { return nil }
