package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// TCP connects to addr (host:port) and closes the connection at once.
// A refusal (RST) and a timeout are both FAIL, with different advice.
func TCP(ctx context.Context, addr string) Result {
	start := time.Now()
	res := Result{Check: "tcp", Target: addr}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	res.Duration = time.Since(start)
	switch {
	case err == nil:
		conn.Close()
		res.Status, res.Reason = Pass, fmt.Sprintf("connected to %s", conn.RemoteAddr())
	case errors.Is(err, syscall.ECONNREFUSED):
		res.Status, res.Reason = Fail, "connection refused: nothing listens on this port (listener missing or target not registered)"
	case ctx.Err() != nil || isTimeout(err):
		res.Status, res.Reason = Fail, fmt.Sprintf("no answer within %s: a security group or network ACL may drop the traffic", res.Duration.Round(time.Millisecond))
	default:
		res.Status, res.Reason = Fail, err.Error()
	}
	return res
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
