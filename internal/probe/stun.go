package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/pion/stun/v3"
)

// UDPSilenceNote explains an UNCONFIRMED UDP result. Renderers print it
// whenever a STUN probe ends UNCONFIRMED.
const UDPSilenceNote = "UDP UNCONFIRMED is expected for Jitsi Videobridge: JVB drops STUN Binding " +
	"Requests that carry no ICE username it knows (only a participant's session has one), and an " +
	"open UDP socket sends no ICMP error, so silence cannot tell an open port from a filtered one. " +
	"A FAIL here (ICMP port unreachable) is real; for a positive signal look at the UDP target " +
	"group's health and join a meeting."

// STUNOptions bounds a STUN probe. The zero value sends 3 requests 1 s apart.
type STUNOptions struct {
	Attempts int           // requests sent before giving up (default 3)
	Timeout  time.Duration // wait for an answer per request (default 1 s)
}

// STUN sends a STUN Binding Request to addr (host:port) on a connected UDP
// socket and classifies the outcome:
//   - Binding Success (or Error) with our transaction ID: PASS, a STUN
//     server answers on that path;
//   - ICMP port unreachable, which a connected socket surfaces as
//     ECONNREFUSED: FAIL, the packet arrived and nothing listens;
//   - silence after all attempts: UNCONFIRMED (see UDPSilenceNote);
//   - only non-STUN replies: WARN, something else answers on that port.
func STUN(ctx context.Context, addr string, opts STUNOptions) Result {
	start := time.Now()
	res := Result{Check: "udp-stun", Target: addr}
	finish := func(s Status, format string, a ...any) Result {
		res.Status, res.Reason, res.Duration = s, fmt.Sprintf(format, a...), time.Since(start)
		return res
	}
	attempts, timeout := opts.Attempts, opts.Timeout
	if attempts <= 0 {
		attempts = 3
	}
	if timeout <= 0 {
		timeout = time.Second
	}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return finish(Fail, "opening a UDP socket to %s: %v", addr, err)
	}
	defer conn.Close()
	// Reads use deadlines, not ctx: wake them when ctx ends.
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()

	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if err != nil {
		return finish(Fail, "building STUN request: %v", err)
	}
	buf := make([]byte, 1500)
	sawOther, sent := 0, 0
	for i := 0; i < attempts && ctx.Err() == nil; i++ {
		sent++
		if _, err := conn.Write(req.Raw); err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				return finish(Fail, refusedReason)
			}
			return finish(Fail, "sending STUN request: %v", err)
		}
		deadline := time.Now().Add(timeout)
		if err := conn.SetReadDeadline(deadline); err != nil {
			return finish(Fail, "setting read deadline: %v", err)
		}
		if ctx.Err() != nil { // AfterFunc may have fired before the deadline was set
			break
		}
		for {
			n, err := conn.Read(buf)
			if errors.Is(err, syscall.ECONNREFUSED) {
				return finish(Fail, refusedReason)
			}
			if err != nil {
				if isTimeout(err) {
					break // next attempt
				}
				return finish(Fail, "reading STUN answer: %v", err)
			}
			msg := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			if !stun.IsMessage(msg.Raw) || msg.Decode() != nil || msg.TransactionID != req.TransactionID {
				sawOther++
				continue
			}
			switch msg.Type {
			case stun.BindingSuccess:
				var xa stun.XORMappedAddress
				if err := xa.GetFrom(msg); err == nil {
					return finish(Pass, "STUN Binding Success: the server sees this client as %s", xa)
				}
				return finish(Pass, "STUN Binding Success (no XOR-MAPPED-ADDRESS)")
			case stun.BindingError:
				var code stun.ErrorCodeAttribute
				_ = code.GetFrom(msg)
				return finish(Pass, "STUN Binding Error %d %s: a STUN server answers on this path", code.Code, code.Reason)
			default:
				sawOther++
			}
		}
	}
	if sawOther > 0 {
		return finish(Warn, "%d non-STUN or unrelated replies, no STUN answer: something other than a STUN server answers on this port", sawOther)
	}
	return finish(Unconfirmed, "no answer to %d STUN Binding Requests (%s each); silence is what JVB gives strangers, so this neither proves nor disproves reachability", sent, timeout)
}

const refusedReason = "ICMP port unreachable: the packet arrived and nothing listens on this UDP port (JVB not running, or the target is not this task)"
