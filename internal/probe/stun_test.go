package probe

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe/probetest"
)

// fastSTUN keeps silent-path tests short: there every attempt runs to its timeout.
var fastSTUN = STUNOptions{Attempts: 2, Timeout: 150 * time.Millisecond}

// answeredSTUN is for paths that answer (a STUN server, an echo, ICMP): the probe returns
// at the answer, so a long timeout costs nothing and holds on a loaded machine.
var answeredSTUN = STUNOptions{Attempts: 3, Timeout: 10 * time.Second}

func TestSTUNAgainstCoturnIsPass(t *testing.T) {
	t.Parallel()
	addr := probetest.Coturn(t, "127.0.0.1", "")
	r := STUN(context.Background(), addr, answeredSTUN)
	if r.Status != Pass || !strings.Contains(r.Reason, "Binding Success") || !strings.Contains(r.Reason, "127.0.0.1:") {
		t.Fatalf("coturn: got %+v, want PASS with the mapped address", r)
	}
}

func TestSTUNClosedPortIsFail(t *testing.T) {
	t.Parallel()
	r := STUN(context.Background(), closedUDPAddr(t), answeredSTUN)
	if r.Status != Fail || !strings.Contains(r.Reason, "ICMP port unreachable") {
		t.Fatalf("closed UDP port: got %+v, want FAIL from ICMP", r)
	}
}

// A bound socket that reads and never answers is exactly what JVB is to a
// stranger's STUN request.
func TestSTUNSilentSocketIsUnconfirmed(t *testing.T) {
	t.Parallel()
	addr, got := probetest.Silent(t, "127.0.0.1:0")
	r := STUN(context.Background(), addr, fastSTUN)
	if r.Status != Unconfirmed || !strings.Contains(r.Reason, "no answer to 2 STUN Binding Requests") {
		t.Fatalf("silent socket: got %+v, want UNCONFIRMED", r)
	}
	// The reader may lag behind on a loaded machine: wait for both, then check no more came.
	for deadline := time.Now().Add(2 * time.Minute); got.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := got.Load(); n != 2 {
		t.Fatalf("silent socket received %d datagrams, want 2 (one per attempt)", n)
	}
}

func TestSTUNNonSTUNReplyIsWarn(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo([]byte("hello, not STUN"), from)
		}
	}()
	r := STUN(context.Background(), pc.LocalAddr().String(), answeredSTUN)
	if r.Status != Warn || !strings.Contains(r.Reason, "non-STUN") {
		t.Fatalf("echoing non-STUN server: got %+v, want WARN", r)
	}
}

func TestSTUNHonoursContext(t *testing.T) {
	t.Parallel()
	addr, got := probetest.Silent(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Attempts of an hour: only the context can end the probe.
	res := make(chan Result, 1)
	go func() { res <- STUN(ctx, addr, STUNOptions{Attempts: 10, Timeout: time.Hour}) }()
	for deadline := time.Now().Add(2 * time.Minute); got.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the probe sent no request")
		}
	}
	cancel()
	var r Result
	select {
	case r = <-res:
	case <-time.After(2 * time.Minute): // an outer bound for a loaded machine; the probe's own is 10 h
		t.Fatal("STUN kept running after its context was cancelled")
	}
	if r.Status != Unconfirmed || !strings.Contains(r.Reason, "no answer to 1 STUN") {
		t.Fatalf("cancelled silent probe: got %+v, want UNCONFIRMED after the 1 request it sent", r)
	}
}

// TestSTUNDroppedInNetns builds a real filtered path: a network namespace
// created for the test, where the same closed port first answers with ICMP
// (FAIL) and, once an nftables rule drops UDP to it, goes silent
// (UNCONFIRMED). The probe's socket is created inside the namespace.
func TestSTUNDroppedInNetns(t *testing.T) {
	t.Parallel()
	ns := newNetns(t)
	const port = 10000
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	before := inNetns(t, ns, func() Result { return STUN(context.Background(), addr, answeredSTUN) })
	if before.Status != Fail {
		t.Fatalf("closed port in namespace before the DROP rule: got %+v, want FAIL", before)
	}
	ns.run(t, "nft", "add", "table", "inet", "jitsictl")
	ns.run(t, "nft", "add", "chain", "inet", "jitsictl", "input", "{", "type", "filter", "hook", "input", "priority", "0", ";", "}")
	ns.run(t, "nft", "add", "rule", "inet", "jitsictl", "input", "udp", "dport", fmt.Sprint(port), "drop")
	after := inNetns(t, ns, func() Result { return STUN(context.Background(), addr, fastSTUN) })
	if after.Status != Unconfirmed {
		t.Fatalf("dropped port in namespace: got %+v, want UNCONFIRMED", after)
	}
}

func closedUDPAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}
