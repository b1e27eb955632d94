package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// JitsiMarkers are strings whose presence marks a page as Jitsi Meet. They are
// the two script bundles index.html loads in every jitsi-meet build since the
// React rewrite; unlike the <title> or "Jitsi Meet" text they survive
// rebranding (APP_NAME, title.html), and an nginx default page, a load
// balancer error page or a captive portal never contains them.
var JitsiMarkers = []string{"libs/app.bundle.min.js", "libs/lib-jitsi-meet.min.js"}

// DefaultCertWarning is how close to expiry a certificate turns a PASS into a WARN.
const DefaultCertWarning = 14 * 24 * time.Hour

// maxBody bounds what is read of the page; index.html is ~25 KB.
const maxBody = 1 << 20

// HTTPSOptions tunes HTTPS. The zero value uses the system roots, resolves the
// URL's host and warns 14 days before expiry.
type HTTPSOptions struct {
	// RootCAs replaces the system roots (tests, private CAs).
	RootCAs *x509.CertPool
	// DialAddr (host:port) is where to connect instead of the URL's host,
	// like curl --resolve: SNI, certificate name and Host header stay the
	// URL's. It lets verify probe each Elastic IP of the NLB by name.
	DialAddr string
	// WarnWithin is the expiry horizon for WARN (default DefaultCertWarning).
	WarnWithin time.Duration
	// Now is the clock for certificate validity (default time.Now).
	Now func() time.Time
}

// HTTPS fetches rawURL and checks, in order: TLS handshake, certificate valid
// for the URL's host (chain, name, dates), days to expiry, HTTP 200 without
// following redirects, and a body that is Jitsi Meet (see JitsiMarkers).
func HTTPS(ctx context.Context, rawURL string, opts HTTPSOptions) Result {
	start := time.Now()
	res := Result{Check: "https", Target: rawURL}
	if opts.DialAddr != "" {
		res.Target = rawURL + " via " + opts.DialAddr
	}
	finish := func(s Status, format string, a ...any) Result {
		res.Status, res.Reason, res.Duration = s, fmt.Sprintf(format, a...), time.Since(start)
		return res
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return finish(Fail, "%q is not an https:// URL", rawURL)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	warnWithin := opts.WarnWithin
	if warnWithin == 0 {
		warnWithin = DefaultCertWarning
	}

	var dialer net.Dialer
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: opts.RootCAs, ServerName: u.Hostname(), Time: now},
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if opts.DialAddr != "" {
				addr = opts.DialAddr
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		// A redirect is reported, not followed: with DialAddr a followed
		// redirect would reach the wrong address, and the meeting URL itself
		// is expected to serve the page.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return finish(Fail, "building request: %v", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return finish(Fail, "%s", describeHTTPSError(err, u.Hostname(), now()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return finish(Fail, "reading the page: %v", err)
	}

	leaf := resp.TLS.PeerCertificates[0]
	left := leaf.NotAfter.Sub(now())
	days := int(left.Hours() / 24)
	certText := fmt.Sprintf("certificate for %s valid %d more days (until %s)", u.Hostname(), days, leaf.NotAfter.UTC().Format("2006-01-02"))
	if resp.StatusCode != http.StatusOK {
		where := ""
		if loc := resp.Header.Get("Location"); loc != "" {
			where = " to " + loc
		}
		return finish(Fail, "HTTP %d%s, want 200 (%s)", resp.StatusCode, where, certText)
	}
	marker := ""
	for _, m := range JitsiMarkers {
		if strings.Contains(string(body), m) {
			marker = m
			break
		}
	}
	if marker == "" {
		return finish(Fail, "HTTP 200 but the page is not Jitsi Meet (none of %s found): another server answers on this address", strings.Join(JitsiMarkers, ", "))
	}
	if left < warnWithin {
		return finish(Warn, "certificate for %s expires in %d days (%s): renew it; HTTP 200, Jitsi Meet page", u.Hostname(), days, leaf.NotAfter.UTC().Format("2006-01-02"))
	}
	return finish(Pass, "TLS ok, %s, HTTP 200, Jitsi Meet page (%s)", certText, marker)
}

// describeHTTPSError turns a failed request into advice: which of TCP, TLS or
// the certificate failed, and why.
func describeHTTPSError(err error, host string, now time.Time) string {
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case errors.As(err, &hostErr):
		names := hostErr.Certificate.DNSNames
		if len(names) == 0 {
			names = []string{hostErr.Certificate.Subject.CommonName}
		}
		return fmt.Sprintf("certificate is not valid for %s: it names %s", host, strings.Join(names, ", "))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		c := invalid.Cert
		if now.Before(c.NotBefore) {
			return fmt.Sprintf("certificate for %s is not valid before %s", host, c.NotBefore.UTC().Format(time.RFC3339))
		}
		return fmt.Sprintf("certificate for %s expired on %s", host, c.NotAfter.UTC().Format("2006-01-02"))
	case errors.As(err, &unknown):
		return fmt.Sprintf("certificate for %s is signed by an unknown authority (%s): serve the full chain from a public CA", host, unknown.Cert.Issuer)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens on the HTTPS port"
	case isTimeout(err):
		return "no answer in time: a security group or network ACL may drop the traffic"
	}
	var recErr tls.RecordHeaderError
	// net/http reports a plain-HTTP answer by text only.
	if errors.As(err, &recErr) || strings.Contains(err.Error(), "gave HTTP response to HTTPS client") {
		return "the server does not speak TLS on this port (plain HTTP?)"
	}
	return "TLS/HTTP request failed: " + err.Error()
}
