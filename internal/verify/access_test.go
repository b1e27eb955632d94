package verify

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/probe/probetest"
)

func TestAccessReadsTheServedWebConfig(t *testing.T) {
	ca := probetest.NewCA(t)
	cert := ca.Leaf(t, time.Now().Add(24*time.Hour), "meet.example.test")
	for _, tc := range []struct {
		name, access string
		site         http.Handler
		want         probe.Status
		reason       string
	}{
		{"open bridge", "invite", probetest.Site(probetest.JitsiConfigOpen), probe.Fail, "anyone who finds this address"},
		{"invite", "invite", probetest.Site(probetest.JitsiConfigInvite), probe.Pass, "asks every participant for a token"},
		{"invite but guests", "invite", probetest.Site(probetest.JitsiConfigLobby), probe.Fail, "people without a link can join"},
		{"lobby", "lobby", probetest.Site(probetest.JitsiConfigLobby), probe.Pass, "wait in its lobby"},
		{"lobby without guests", "lobby", probetest.Site(probetest.JitsiConfigInvite), probe.Pass, "stricter than lobby"},
		{"lobby on an open bridge", "lobby", probetest.Site(probetest.JitsiConfigOpen), probe.Fail, "anyone who finds this address"},
		{"no config", "invite", probetest.Page(404, "not found"), probe.Fail, "HTTP 404"},
	} {
		addr := probetest.HTTPS(t, "127.0.0.1:0", cert, tc.site)
		r := Access(context.Background(), "https://meet.example.test/", addr, tc.access)
		if r.Status != tc.want || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%s: %s (%s), want %s with %q", tc.name, r.Status, r.Reason, tc.want, tc.reason)
		}
	}
}
