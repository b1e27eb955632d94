package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// jitsiIndex is the part of a docker-jitsi-meet index.html the probe looks at.
const jitsiIndex = `<html><head><title>Jitsi Meet</title>
<script src="libs/lib-jitsi-meet.min.js?v=11146"></script>
<script src="libs/app.bundle.min.js?v=11146"></script></head>
<body><div id="react"></div></body></html>`

const meetHost = "meet.example.test"

// testCA is a throw-away certificate authority for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
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
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf issues a server certificate for names valid until notAfter.
func (ca *testCA) leaf(t *testing.T, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-48 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsServer starts a real HTTPS server on loopback with cert, serving h.
func tlsServer(t *testing.T, cert tls.Certificate, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func servePage(page string, code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code == http.StatusFound {
			http.Redirect(w, r, "https://elsewhere.example.test/", code)
			return
		}
		w.WriteHeader(code)
		w.Write([]byte(page))
	}
}

func TestHTTPS(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	otherCA := newTestCA(t)
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
		{"right name", ca.leaf(t, in(90*day), meetHost), servePage(jitsiIndex, 200), ca.pool,
			Pass, []string{"certificate for " + meetHost + " valid 89 more days", "HTTP 200", "Jitsi Meet page"}},
		{"wrong name", ca.leaf(t, in(90*day), "other.example.test"), servePage(jitsiIndex, 200), ca.pool,
			Fail, []string{"not valid for " + meetHost, "other.example.test"}},
		{"expires in 5 days", ca.leaf(t, in(5*day+time.Hour), meetHost), servePage(jitsiIndex, 200), ca.pool,
			Warn, []string{"expires in 5 days", "renew"}},
		{"expired", ca.leaf(t, in(-day), meetHost), servePage(jitsiIndex, 200), ca.pool,
			Fail, []string{"expired on"}},
		{"unknown authority", otherCA.leaf(t, in(90*day), meetHost), servePage(jitsiIndex, 200), ca.pool,
			Fail, []string{"unknown authority"}},
		{"not jitsi", ca.leaf(t, in(90*day), meetHost), servePage("<html>Welcome to nginx!</html>", 200), ca.pool,
			Fail, []string{"not Jitsi Meet"}},
		{"server error", ca.leaf(t, in(90*day), meetHost), servePage("bad gateway", 502), ca.pool,
			Fail, []string{"HTTP 502, want 200"}},
		{"redirect", ca.leaf(t, in(90*day), meetHost), servePage("", http.StatusFound), ca.pool,
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
	srv := httptest.NewServer(servePage(jitsiIndex, 200))
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
