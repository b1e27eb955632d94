package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe/probetest"
)

const meetHost = "meet.example.test"

func tlsServer(t *testing.T, cert tls.Certificate, h http.HandlerFunc) string {
	t.Helper()
	return probetest.HTTPS(t, "127.0.0.1:0", cert, h)
}

func servePage(page string, code int) http.HandlerFunc {
	if code == http.StatusFound {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example.test/", code)
		}
	}
	return probetest.Page(code, page)
}

func TestHTTPS(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	otherCA := probetest.NewCA(t)
	in := func(d time.Duration) time.Time { return time.Now().Add(d) }
	day := 24 * time.Hour

	cases := []struct {
		name       string
		cert       tls.Certificate
		handler    http.HandlerFunc
		roots      *x509.CertPool
		want       Status
		wantReason []string
	}{
		{"right name", ca.Leaf(t, in(90*day), meetHost), servePage(probetest.JitsiIndex, 200), ca.Pool,
			Pass, []string{"certificate for " + meetHost + " valid 89 more days", "HTTP 200", "Jitsi Meet page"}},
		{"wrong name", ca.Leaf(t, in(90*day), "other.example.test"), servePage(probetest.JitsiIndex, 200), ca.Pool,
			Fail, []string{"not valid for " + meetHost, "other.example.test"}},
		{"expires in 5 days", ca.Leaf(t, in(5*day+time.Hour), meetHost), servePage(probetest.JitsiIndex, 200), ca.Pool,
			Warn, []string{"expires in 5 days", "renew"}},
		{"expired", ca.Leaf(t, in(-day), meetHost), servePage(probetest.JitsiIndex, 200), ca.Pool,
			Fail, []string{"expired on"}},
		{"unknown authority", otherCA.Leaf(t, in(90*day), meetHost), servePage(probetest.JitsiIndex, 200), ca.Pool,
			Fail, []string{"unknown authority"}},
		{"not jitsi", ca.Leaf(t, in(90*day), meetHost), servePage("<html>Welcome to nginx!</html>", 200), ca.Pool,
			Fail, []string{"not Jitsi Meet"}},
		{"server error", ca.Leaf(t, in(90*day), meetHost), servePage("bad gateway", 502), ca.Pool,
			Fail, []string{"HTTP 502, want 200"}},
		{"redirect", ca.Leaf(t, in(90*day), meetHost), servePage("", http.StatusFound), ca.Pool,
			Fail, []string{"HTTP 302 to https://elsewhere.example.test/"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := tlsServer(t, tc.cert, tc.handler)
			r := HTTPS(context.Background(), "https://"+meetHost+"/", HTTPSOptions{RootCAs: tc.roots, DialAddr: addr})
			if r.Status != tc.want {
				t.Fatalf("status = %s (%s), want %s", r.Status, r.Reason, tc.want)
			}
			for _, w := range tc.wantReason {
				if !strings.Contains(r.Reason, w) {
					t.Errorf("reason %q lacks %q", r.Reason, w)
				}
			}
			if want := "https://" + meetHost + "/ via " + addr; r.Target != want {
				t.Errorf("target = %q, want %q", r.Target, want)
			}
		})
	}
}

func TestHTTPSPlainHTTPServer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(servePage(probetest.JitsiIndex, 200))
	defer srv.Close()
	r := HTTPS(context.Background(), "https://"+meetHost+"/", HTTPSOptions{DialAddr: srv.Listener.Addr().String()})
	if r.Status != Fail || !strings.Contains(r.Reason, "does not speak TLS") {
		t.Fatalf("plain HTTP on the HTTPS port: got %+v", r)
	}
}

func TestHTTPSClosedPort(t *testing.T) {
	t.Parallel()
	r := HTTPS(context.Background(), "https://"+meetHost+"/", HTTPSOptions{DialAddr: closedTCPAddr(t)})
	if r.Status != Fail || !strings.Contains(r.Reason, "refused") {
		t.Fatalf("closed port: got %+v", r)
	}
}

func TestHTTPSRejectsNonHTTPSURL(t *testing.T) {
	t.Parallel()
	r := HTTPS(context.Background(), "http://"+meetHost+"/", HTTPSOptions{})
	if r.Status != Fail || !strings.Contains(r.Reason, "not an https:// URL") {
		t.Fatalf("http URL: got %+v", r)
	}
}
