package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestTCPOpenPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	r := TCP(context.Background(), ln.Addr().String())
	if r.Status != Pass || r.Check != "tcp" || r.Target != ln.Addr().String() || r.Duration <= 0 {
		t.Fatalf("open port: got %+v, want PASS with target and duration", r)
	}
}

func TestTCPClosedPort(t *testing.T) {
	t.Parallel()
	addr := closedTCPAddr(t)
	r := TCP(context.Background(), addr)
	if r.Status != Fail || !strings.Contains(r.Reason, "refused") {
		t.Fatalf("closed port: got %+v, want FAIL naming the refusal", r)
	}
}

func TestTCPTimeoutIsFail(t *testing.T) {
	t.Parallel()
	// A cancelled context stands in for a path that drops SYNs; the real
	// dropping path is exercised for UDP in a network namespace.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	r := TCP(ctx, closedTCPAddr(t))
	if r.Status != Fail || !strings.Contains(r.Reason, "no answer") {
		t.Fatalf("expired context: got %+v, want FAIL 'no answer'", r)
	}
}

// closedTCPAddr returns a loopback address where nothing listens: the port
// was just bound and released.
func closedTCPAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
