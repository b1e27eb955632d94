// Package probetest starts real servers on loopback for probe and verify
// tests: Debian's coturn as a STUN server, a silent UDP socket (what JVB is to
// a stranger), HTTPS servers with certificates from a throw-away CA.
package probetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/stun/v3"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// JitsiIndex is the part of docker-jitsi-meet's index.html the HTTPS probe
// looks at (its <head> with the two bundles).
const JitsiIndex = `<html><head><title>Jitsi Meet</title>
<script src="libs/lib-jitsi-meet.min.js?v=11146"></script>
<script src="libs/app.bundle.min.js?v=11146"></script></head>
<body><div id="react"></div></body></html>`

// CA is a throw-away certificate authority.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	Pool *x509.CertPool
}

// NewCA makes a CA valid for a year.
func NewCA(tb testing.TB) *CA {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "jitsictl test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{cert: cert, key: key, Pool: pool}
}

// Leaf issues a server certificate for names, valid until notAfter.
func (ca *CA) Leaf(tb testing.TB, notAfter time.Time, names ...string) tls.Certificate {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-48 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// HTTPS serves h with cert on addr ("127.0.0.1:0" for any port) until the
// test ends, and returns the listening address.
func HTTPS(tb testing.TB, addr string, cert tls.Certificate, h http.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatalf("listen %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are what some tests are about
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return ln.Addr().String()
}

// Page answers every request with code and body.
func Page(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// Silent binds a UDP socket on addr that reads everything and answers
// nothing, as JVB does to a STUN request without a known ICE username. The
// returned counter says how many datagrams arrived.
func Silent(tb testing.TB, addr string) (string, *atomic.Int64) {
	tb.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		tb.Fatalf("listen udp %s: %v", addr, err)
	}
	var n atomic.Int64
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			n.Add(1)
		}
	}()
	tb.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String(), &n
}

// FreeUDPPort returns a UDP port free on ip at the time of the call.
func FreeUDPPort(tb testing.TB, ip string) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		tb.Fatal(err)
	}
	defer pc.Close()
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	return port
}

// Coturn runs Debian's coturn as a STUN-only server on ip:port ("" port: a
// free one) until the test ends, and returns its address once it answers a
// Binding Request. A missing binary fails the test with the install command.
// A free port can be taken between the check and coturn's bind (other tests
// run beside this one): a server that exits before answering is started
// again on another free port.
func Coturn(tb testing.TB, ip, port string) string {
	tb.Helper()
	bin, err := exec.LookPath("turnserver")
	if err != nil {
		tb.Fatalf("turnserver (coturn) is not installed; install it with: sudo apt-get install -y coturn")
	}
	var failures []string
	for attempt := 1; attempt <= 3; attempt++ {
		p := port
		if p == "" {
			p = FreeUDPPort(tb, ip)
		}
		addr, why := startCoturn(tb, bin, ip, p)
		if why == "" {
			return addr
		}
		failures = append(failures, why)
		if port != "" {
			break // the caller asked for this port: another cannot stand in
		}
	}
	tb.Fatalf("turnserver did not answer STUN:\n%s", strings.Join(failures, "\n"))
	return ""
}

// startCoturn starts one turnserver and waits until it answers or exits; the
// reason it did not answer is empty on success.
func startCoturn(tb testing.TB, bin, ip, port string) (string, string) {
	addr := net.JoinHostPort(ip, port)
	dir := tb.TempDir()
	cmd := exec.Command(bin, "-n", "--stun-only", "--no-tls", "--no-dtls", "--no-tcp", "--no-cli",
		"--listening-ip="+ip, "--listening-port="+port,
		"--pidfile="+filepath.Join(dir, "pid"), "--db="+filepath.Join(dir, "turndb"),
		"--log-file="+filepath.Join(dir, "turn.log"), "--simple-log", "--no-stdout-log")
	// Its own process group, killed whole at cleanup, and killed with the test binary.
	cmd.SysProcAttr = procs.OwnGroup()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting turnserver: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-exited })
	// coturn names its log turn.log or turn_<pid>_<date>.log, depending on the build.
	logText := func() string {
		files, _ := filepath.Glob(filepath.Join(dir, "turn*.log"))
		var b strings.Builder
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			b.Write(raw)
		}
		return b.String()
	}
	// An outer bound for a loaded machine: coturn answers within a second when idle.
	const startLimit = 2 * time.Minute
	deadline := time.Now().Add(startLimit)
	for time.Now().Before(deadline) {
		if answers(addr) {
			return addr, ""
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			return "", fmt.Sprintf("turnserver on %s exited before answering (%v); its log:\n%s", addr, err, logText())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Sprintf("turnserver on %s did not answer within %s; its log:\n%s", addr, startLimit, logText())
}

// answers is the readiness check: one Binding Request, independent of the
// probe under test.
func answers(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
	if _, err := c.Write(req.Raw); err != nil {
		return false
	}
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		return false
	}
	var m stun.Message
	return stun.Decode(buf[:n], &m) == nil && m.Type == stun.BindingSuccess
}

// Web configs as docker-jitsi-meet's web image renders config.js: without
// authentication, with token authentication (access invite), and with
// guests allowed in through the lobby (access lobby).
const (
	JitsiConfigOpen   = "var config = {};\nconfig.hosts = {};\nconfig.hosts.domain = 'meet.jitsi';\nconfig.hosts.muc = 'muc.meet.jitsi';\nconfig.bosh = '/http-bind';\n"
	JitsiConfigInvite = JitsiConfigOpen + "config.hosts.authdomain = 'meet.jitsi';\n"
	JitsiConfigLobby  = JitsiConfigInvite + "config.hosts.anonymousdomain = 'guest.meet.jitsi';\n"
)

// Site serves a Jitsi Meet site: config.js as given, index.html everywhere else.
func Site(config string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/config.js", Page(200, config))
	mux.HandleFunc("/", Page(200, JitsiIndex))
	return mux
}
