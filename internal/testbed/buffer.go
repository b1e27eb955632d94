package testbed

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// Buffer is a bytes.Buffer safe for concurrent writers: the log that several
// goroutines of a flow (or several reporters) share in a test.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Progress records the states a wait reports (ecsx, targets, sweep all take
// a func(state string, elapsed time.Duration)), for assertions.
type Progress struct {
	mu     sync.Mutex
	states []string
}

// Report is the progress callback.
func (p *Progress) Report(state string, _ time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.states = append(p.states, state)
}

// All returns every reported state, one a line.
func (p *Progress) All() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.states, "\n")
}
