package verify

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// dnsServer is a real (if tiny) authoritative DNS server on loopback: it
// answers A queries for the names it holds and NXDOMAIN otherwise, so the
// DNS check runs Go's own resolver over the wire instead of a stand-in.
func dnsServer(t testing.TB, records map[string][]string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := answerDNS(buf[:n], records); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	server := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", server)
	}}
}

// answerDNS builds the response to one query (RFC 1035 section 4).
func answerDNS(q []byte, records map[string][]string) []byte {
	if len(q) < 12 {
		return nil
	}
	// Question: labels, then type and class.
	off, labels := 12, []string{}
	for off < len(q) && q[off] != 0 {
		l := int(q[off])
		if off+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[off+1:off+1+l]))
		off += 1 + l
	}
	off++ // the root label
	if off+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[off:])
	question := q[12 : off+4]
	name := strings.ToLower(strings.Join(labels, "."))

	ips, known := records[name]
	var answers [][]byte
	if qtype == 1 { // A; AAAA and others get an empty answer
		for _, s := range ips {
			a := netip.MustParseAddr(s).As4()
			rr := []byte{0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4}
			answers = append(answers, append(rr, a[:]...))
		}
	}
	flags := uint16(0x8400) | binary.BigEndian.Uint16(q[2:])&0x0100 // QR, AA, copy RD
	if !known {
		flags |= 3 // NXDOMAIN
	}
	resp := make([]byte, 12, 12+len(question)+16*len(answers))
	copy(resp, q[:2])
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1)
	binary.BigEndian.PutUint16(resp[6:], uint16(len(answers)))
	resp = append(resp, question...)
	for _, a := range answers {
		resp = append(resp, a...)
	}
	return resp
}

func TestDNSCheck(t *testing.T) {
	t.Parallel()
	r := dnsServer(t, map[string][]string{
		"meet.example.test":  {"198.51.100.7", "203.0.113.10"},
		"stale.example.test": {"192.0.2.99"},
	})
	nlb := nlbAddresses{ips: []string{"198.51.100.7", "203.0.113.10"}, source: "the load balancer's Elastic IPs"}
	ctx := context.Background()

	if got := DNS(ctx, r, "meet.example.test", nlb); got.Status != "PASS" {
		t.Errorf("matching records: got %+v, want PASS", got)
	}
	got := DNS(ctx, r, "stale.example.test", nlb)
	if got.Status != "FAIL" || !strings.Contains(got.Reason, "resolves to 192.0.2.99") || !strings.Contains(got.Reason, "198.51.100.7, 203.0.113.10") {
		t.Errorf("stale record: got %+v, want FAIL naming both sides", got)
	}
	got = DNS(ctx, r, "missing.example.test", nlb)
	if got.Status != "FAIL" || !strings.Contains(got.Reason, "does not resolve") {
		t.Errorf("missing name: got %+v, want FAIL 'does not resolve'", got)
	}
}
