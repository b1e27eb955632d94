package verify

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/jitsictl/jitsictl/internal/probe"
)

// Lines docker-jitsi-meet's web image writes into config.js: authdomain when
// ENABLE_AUTH is on (clients then need credentials, here a token, to create a
// room), anonymousdomain when ENABLE_GUESTS also is (people without one may
// join a room a moderator opened, through the lobby).
const (
	authDomainLine  = "config.hosts.authdomain"
	guestDomainLine = "config.hosts.anonymousdomain"
)

// Access fetches the web config the site serves (config.js beside the
// meeting URL, dialled at dialAddr) and checks that a visitor without a link
// cannot start a meeting: invite wants authentication and no guest domain;
// lobby wants authentication, and guests only through the lobby.
func Access(ctx context.Context, meetingURL, dialAddr, access string) probe.Result {
	u, err := url.Parse(meetingURL)
	if err != nil || u.Host == "" {
		return fail("meeting URL %q is not a URL", meetingURL)
	}
	u.Path, u.RawQuery = "/config.js", ""
	var dialer net.Dialer
	client := &http.Client{
		Transport: &http.Transport{
			// What the site serves is the question here; whether browsers
			// trust its certificate is the https check's.
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()},
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, dialAddr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail("building request: %v", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail("fetching %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fail("reading %s: %v", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fail("%s answers HTTP %d, want 200: cannot tell whether meetings need a link", u.Path, resp.StatusCode)
	}
	cfg := string(body)
	auth, guests := strings.Contains(cfg, authDomainLine), strings.Contains(cfg, guestDomainLine)
	switch {
	case !auth:
		return fail("the web config has no %s: anyone who finds this address can start meetings on the bridge; deploy the stack with token authentication (jitsictl deploy)", authDomainLine)
	case access == "lobby" && guests:
		return pass("access lobby: a link is needed to open a room; others wait in its lobby for a moderator")
	case access == "lobby":
		return pass("access lobby configured, but the site serves no guest domain: only people with a link can join (stricter than lobby)")
	case guests:
		return fail("access %s, but the web config has %s: people without a link can join rooms; deploy the stack again (ENABLE_GUESTS must be 0)", access, guestDomainLine)
	}
	return pass("access invite: the web config asks every participant for a token (a link)")
}

// addAccessCheck adds one access check, on the first address: every address
// reaches the same task.
func addAccessCheck(add func(name, target string, run func(context.Context) probe.Result), t Target, ips []string) {
	if len(ips) == 0 {
		return
	}
	port := "443"
	if u, err := url.Parse(t.MeetingURL); err == nil && u.Port() != "" {
		port = u.Port()
	}
	dial := net.JoinHostPort(ips[0], port)
	add("access", t.Access+" via "+dial, func(ctx context.Context) probe.Result { return Access(ctx, t.MeetingURL, dial, t.Access) })
}
