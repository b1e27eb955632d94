package verify

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe"
	"github.com/jitsictl/jitsictl/internal/probe/probetest"
)

const e2eDomain = "meet.example.test"

// session builds a whole session on loopback: the moto fixture, whose Elastic
// IPs moto allocates in 127.0.0.0/8, and on those very addresses a real HTTPS
// server serving Jitsi's page on the TCP listener port, coturn on the first
// address's UDP port and a silent socket (JVB's behaviour) on the second's,
// plus a DNS server that resolves the domain to both.
type sessionOpts struct {
	// silentOnly puts JVB's silence on every address (what a real session
	// shows) instead of coturn on the first.
	silentOnly bool
	// pageDelay holds each page response, standing in for an internet RTT.
	pageDelay time.Duration
}

func session(tb testing.TB, o sessionOpts) *fixture {
	tb.Helper()
	tcpPort, udpPort := freePort(tb, "tcp"), freePort(tb, "udp")
	f := newFixture(tb, fixtureOpts{tcpPort: int32(tcpPort), udpPort: int32(udpPort)})
	ips := sortedSet(f.target.EIPAddresses)
	for _, ip := range ips {
		if a, err := netip.ParseAddr(ip); err != nil || !a.IsLoopback() {
			tb.Fatalf("moto allocated Elastic IP %s outside 127.0.0.0/8; this test serves the session on those addresses", ip)
		}
	}
	ca := probetest.NewCA(tb)
	cert := ca.Leaf(tb, time.Now().Add(60*24*time.Hour), e2eDomain)
	page := probetest.Page(200, probetest.JitsiIndex)
	for _, ip := range ips {
		probetest.HTTPS(tb, net.JoinHostPort(ip, fmt.Sprint(tcpPort)), cert, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(o.pageDelay)
			page(w, r)
		}))
	}
	if o.silentOnly {
		probetest.Silent(tb, net.JoinHostPort(ips[0], fmt.Sprint(udpPort)))
	} else {
		probetest.Coturn(tb, ips[0], fmt.Sprint(udpPort))
	}
	probetest.Silent(tb, net.JoinHostPort(ips[1], fmt.Sprint(udpPort)))

	f.target.Domain = e2eDomain
	f.target.MeetingURL = fmt.Sprintf("https://%s:%d/", e2eDomain, tcpPort)
	f.deps.RootCAs = ca.Pool
	f.deps.Resolver = dnsServer(tb, map[string][]string{e2eDomain: ips})
	f.deps.STUN = probe.STUNOptions{Attempts: 2, Timeout: 100 * time.Millisecond}
	return f
}

func freePort(tb testing.TB, network string) int {
	tb.Helper()
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		defer pc.Close()
		return pc.LocalAddr().(*net.UDPAddr).Port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestRunEndToEnd(t *testing.T) {
	f := session(t, sessionOpts{})
	ips := sortedSet(f.target.EIPAddresses)
	tcp := fmt.Sprint(f.tcpPort)
	udp := fmt.Sprint(f.udpPort)
	rep := Run(context.Background(), f.deps, f.target)

	want := []struct {
		check, target string
		status        probe.Status
	}{
		{"load-balancer", "/jitsi-jvb/", probe.Pass},
		{"target-health", "udp-10000", probe.Pass},
		{"target-health", "web-8443", probe.Pass},
		{"advertised-address", f.target.AdvertiseIPsParameter, probe.Pass},
		{"jvb-config", "jitsi", probe.Pass},
		{"security-group", f.target.SecurityGroupID, probe.Pass},
		{"dns", e2eDomain, probe.Pass},
		{"tcp", net.JoinHostPort(ips[0], tcp), probe.Pass},
		{"tcp", net.JoinHostPort(ips[1], tcp), probe.Pass},
		{"https", f.target.MeetingURL + " via " + net.JoinHostPort(ips[0], tcp), probe.Pass},
		{"https", f.target.MeetingURL + " via " + net.JoinHostPort(ips[1], tcp), probe.Pass},
		{"udp-stun", net.JoinHostPort(ips[0], udp), probe.Pass},
		{"udp-stun", net.JoinHostPort(ips[1], udp), probe.Unconfirmed},
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("got %d results, want %d:\n%s", len(rep.Results), len(want), text(rep))
	}
	for i, w := range want {
		r := rep.Results[i]
		if r.Check != w.check || !strings.Contains(r.Target, w.target) || r.Status != w.status {
			t.Errorf("result %d = %s %s %s (%s), want %s %s %s", i, r.Check, r.Target, r.Status, r.Reason, w.check, w.target, w.status)
		}
	}
	if rep.Failed() {
		t.Errorf("a healthy session failed:\n%s", text(rep))
	}
	if out := text(rep); !strings.Contains(out, probe.UDPSilenceNote) {
		t.Errorf("UNCONFIRMED UDP without the explanation:\n%s", out)
	}

	// The seed's worst defect: the parameter does not hold the NLB's addresses.
	f.setParam(t, f.target.AdvertiseIPsParameter, "198.51.100.1")
	rep = Run(context.Background(), f.deps, f.target)
	if !rep.Failed() {
		t.Fatalf("wrong advertised address did not fail the run:\n%s", text(rep))
	}
	adv := rep.Results[3]
	if adv.Check != "advertised-address" || adv.Status != probe.Fail || !strings.Contains(adv.Reason, "198.51.100.1") || !strings.Contains(adv.Reason, strings.Join(ips, ", ")) {
		t.Errorf("advertised-address = %+v, want FAIL naming 198.51.100.1 and %s", adv, strings.Join(ips, ", "))
	}
}

func text(r Report) string {
	var b strings.Builder
	r.WriteText(&b)
	return b.String()
}

// BenchmarkVerifyConcurrentVsSequential runs the whole verify of a loopback
// session shaped like a real one (13 checks: AWS reads against moto, TCP,
// HTTPS pages held 50 ms like an internet round trip, and JVB's silence on
// both UDP addresses, so each STUN probe waits out 2 x 100 ms) with the
// default concurrency and one check at a time, side by side, and reports the
// sequential/concurrent wall-time ratio.
func BenchmarkVerifyConcurrentVsSequential(b *testing.B) {
	f := session(b, sessionOpts{silentOnly: true, pageDelay: 50 * time.Millisecond})
	ctx := context.Background()
	seqDeps, concDeps := f.deps, f.deps
	seqDeps.Concurrency = 1
	var seq, conc time.Duration
	for b.Loop() {
		start := time.Now()
		r1 := Run(ctx, concDeps, f.target)
		conc += time.Since(start)
		start = time.Now()
		r2 := Run(ctx, seqDeps, f.target)
		seq += time.Since(start)
		if r1.Failed() || r2.Failed() {
			b.Fatalf("verify failed during the benchmark:\n%s\n%s", text(r1), text(r2))
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(conc.Milliseconds())/n, "concurrent-ms/run")
	b.ReportMetric(float64(seq.Milliseconds())/n, "sequential-ms/run")
	b.ReportMetric(seq.Seconds()/conc.Seconds(), "speedup")
	b.ReportMetric(0, "ns/op") // the pair's ns/op mixes both modes; the metrics above are the result
}

// Without a domain the meeting URL names the NLB, for which no trusted
// certificate exists: the HTTPS check warns instead of failing the session.
func TestRunWithoutDomainWarnsAboutTheCertificate(t *testing.T) {
	f := session(t, sessionOpts{silentOnly: true})
	f.target.Domain = ""
	f.target.MeetingURL = fmt.Sprintf("https://jitsi-jvb-0123456789.elb.us-east-1.amazonaws.com:%d/", f.tcpPort)
	rep := Run(context.Background(), f.deps, f.target)
	var https int
	for _, r := range rep.Results {
		switch r.Check {
		case "dns":
			t.Errorf("dns checked without a domain: %+v", r)
		case "https":
			https++
			if r.Status != probe.Warn || !strings.Contains(r.Reason, "not valid for jitsi-jvb-0123456789") || !strings.Contains(r.Reason, "no domain_name") {
				t.Errorf("https without a domain: got %+v, want WARN explaining the certificate", r)
			}
		}
	}
	if https != 2 || rep.Failed() {
		t.Fatalf("want 2 https warnings and no failure:\n%s", text(rep))
	}
}
