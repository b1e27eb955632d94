package probe

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

type netns struct{ name string }

// newNetns creates a network namespace with loopback up and removes it when
// the test ends. It needs root (CAP_SYS_ADMIN) and iproute2 + nftables.
func newNetns(t *testing.T) netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("this test creates a network namespace and needs root: run it as root (sudo -E go test ./internal/probe/)")
	}
	for _, bin := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is not installed; install it with: sudo apt-get install -y iproute2 nftables", bin)
		}
	}
	ns := netns{name: fmt.Sprintf("jitsictl-probe-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)}
	if out, err := exec.Command("ip", "netns", "add", ns.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns.name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", ns.name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", ns.name, err, out)
		}
	})
	ns.run(t, "ip", "link", "set", "lo", "up")
	return ns
}

// run executes a command inside the namespace.
func (ns netns) run(t *testing.T, name string, args ...string) {
	t.Helper()
	argv := append([]string{"netns", "exec", ns.name, name}, args...)
	if out, err := exec.Command("ip", argv...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// inNetns runs fn on an OS thread switched into the namespace, so sockets fn
// creates live there. The thread is never unlocked, so Go discards it when
// the goroutine ends instead of reusing a thread in the wrong namespace.
func inNetns(t *testing.T, ns netns, fn func() Result) Result {
	t.Helper()
	type out struct {
		r   Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + ns.name)
		if err != nil {
			ch <- out{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- out{err: fmt.Errorf("setns: %w", err)}
			return
		}
		ch <- out{r: fn()}
	}()
	o := <-ch
	if o.err != nil {
		t.Fatalf("entering namespace %s: %v", ns.name, o.err)
	}
	return o.r
}
