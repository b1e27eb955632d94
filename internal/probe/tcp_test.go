package probe

import (
	"context"
	"net"
	"strconv"
	"strings"
	"syscall"
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

// closedTCPAddr returns a loopback address where nothing listens. The port
// stays bound (without listen, and without SO_REUSEADDR) until the test ends:
// a port that was only bound and released can be taken by any listener on the
// machine before the dial, which then answers with a reset instead of the
// refusal the tests expect (seen under a full suite run).
func closedTCPAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
}
