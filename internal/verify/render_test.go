package verify

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/probe"
	goldenfile "github.com/jitsictl/jitsictl/internal/testbed/golden"
)

func golden(t *testing.T, name string, got []byte) { t.Helper(); goldenfile.Check(t, name, got) }

func mixedReport() Report {
	ms := time.Millisecond
	return Report{Elapsed: 3100 * ms, Results: []probe.Result{
		{Check: "load-balancer", Target: "net/jitsi-jvb/50dc6c495c0c9188", Status: probe.Pass, Reason: "active; addresses 198.51.100.7, 203.0.113.10; listeners TCP 443, UDP 10000", Duration: 180 * ms},
		{Check: "target-health", Target: "udp-10000", Status: probe.Pass, Reason: "10.0.1.25:10000 healthy", Duration: 95 * ms},
		{Check: "target-health", Target: "web-8443", Status: probe.Warn, Reason: "10.0.1.25:8443 initial (Target registration is in progress): still registering or draining, check again in a minute", Duration: 97 * ms},
		{Check: "advertised-address", Target: "/jitsi/session/advertise-ips", Status: probe.Fail, Reason: "parameter /jitsi/session/advertise-ips advertises 192.0.2.99 but the load balancer's Elastic IPs are 198.51.100.7, 203.0.113.10: clients would send media where the NLB is not; rerun jitsictl session open to rewrite it and restart the task", Duration: 61 * ms},
		{Check: "jvb-config", Target: "jitsi", Status: probe.Pass, Reason: "jitsi:7 container jvb: JVB_DISABLE_STUN=1, JVB_ADVERTISE_IPS from /jitsi/session/advertise-ips", Duration: 88 * ms},
		{Check: "security-group", Target: "sg-0a1b2c3d", Status: probe.Pass, Reason: "security group sg-0a1b2c3d admits UDP 10000 from anywhere and TCP 8080 from 10.0.0.0/16", Duration: 70 * ms},
		{Check: "tcp", Target: "198.51.100.7:443", Status: probe.Pass, Reason: "connected to 198.51.100.7:443", Duration: 21 * ms},
		{Check: "https", Target: "https://meet.example.org/ via 198.51.100.7:443", Status: probe.Warn, Reason: "certificate for meet.example.org expires in 5 days (2026-12-02): renew it; HTTP 200, Jitsi Meet page", Duration: 140 * ms},
		{Check: "udp-stun", Target: "198.51.100.7:10000", Status: probe.Unconfirmed, Reason: "no answer to 3 STUN Binding Requests (1s each); silence is what JVB gives strangers, so this neither proves nor disproves reachability", Duration: 3000 * ms},
		{Check: "udp-stun", Target: "203.0.113.10:10000", Status: probe.Fail, Reason: "ICMP port unreachable: the packet arrived and nothing listens on this UDP port (JVB not running, or the target is not this task)", Duration: 300 * time.Microsecond},
	}}
}

func passReport() Report {
	ms := time.Millisecond
	return Report{Elapsed: 450 * ms, Results: []probe.Result{
		{Check: "load-balancer", Target: "net/jitsi-jvb/50dc6c495c0c9188", Status: probe.Pass, Reason: "active; addresses 198.51.100.7; listeners TCP 443, UDP 10000", Duration: 180 * ms},
		{Check: "tcp", Target: "198.51.100.7:443", Status: probe.Pass, Reason: "connected to 198.51.100.7:443", Duration: 21 * ms},
		{Check: "udp-stun", Target: "198.51.100.7:10000", Status: probe.Pass, Reason: "STUN Binding Success: the server sees this client as 192.0.2.1:53211", Duration: 30 * ms},
	}}
}

func TestRenderGolden(t *testing.T) {
	for name, r := range map[string]Report{"mixed": mixedReport(), "pass": passReport()} {
		t.Run(name, func(t *testing.T) {
			var txt bytes.Buffer
			if err := r.WriteText(&txt); err != nil {
				t.Fatal(err)
			}
			golden(t, "report-"+name+".txt", txt.Bytes())
			golden(t, "report-"+name+".md", []byte(r.Markdown()))
			js, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "report-"+name+".json", append(js, '\n'))
		})
	}
}

func TestUDPNoteOnlyWhenUnconfirmed(t *testing.T) {
	t.Parallel()
	var mixed, pass bytes.Buffer
	mixedReport().WriteText(&mixed)
	passReport().WriteText(&pass)
	if !strings.Contains(mixed.String(), probe.UDPSilenceNote) || !strings.Contains(mixedReport().Markdown(), probe.UDPSilenceNote) {
		t.Error("a report with an UNCONFIRMED UDP check lacks the explanation")
	}
	if strings.Contains(pass.String(), "UNCONFIRMED") || strings.Contains(passReport().Markdown(), probe.UDPSilenceNote) {
		t.Error("a report without UNCONFIRMED UDP carries the explanation")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(mixedReport())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Failed  bool                 `json:"failed"`
		Counts  map[probe.Status]int `json:"counts"`
		Results []probe.Result       `json:"results"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := mixedReport().Results
	if !doc.Failed || doc.Counts[probe.Fail] != 2 || doc.Counts[probe.Unconfirmed] != 1 || len(doc.Results) != len(want) {
		t.Fatalf("decoded %+v", doc)
	}
	for i := range want {
		if doc.Results[i] != want[i] {
			t.Errorf("result %d: decoded %+v, want %+v", i, doc.Results[i], want[i])
		}
	}
}
