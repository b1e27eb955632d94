package cost

import (
	"strings"
	"testing"
	"time"
)

func mustMoney(t *testing.T, s string) Money {
	t.Helper()
	m, err := ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func region(t *testing.T, name string) *RegionPrices {
	t.Helper()
	p, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, str, cents string
	}{
		{"0.04048", "$0.04048", "$0.04"},
		{"0.0404800000", "$0.04048", "$0.04"},
		{"2.445", "$2.445", "$2.45"},    // half up, not to even
		{"11.265", "$11.265", "$11.27"}, // half up
		{"0.19748", "$0.19748", "$0.20"},
		{"1234.5", "$1,234.50", "$1,234.50"},
		{"-1.2", "-$1.20", "-$1.20"},
		{"-0.005", "-$0.005", "-$0.01"}, // half away from zero
		{"0.0000000004", "$0.00", "$0.00"},
		{"0.0000000005", "$0.00", "$0.00"}, // one nano-dollar
	} {
		m := mustMoney(t, tc.in)
		if got := m.String(); got != tc.str {
			t.Errorf("ParseMoney(%q).String() = %q, want %q", tc.in, got, tc.str)
		}
		if got := m.Cents(); got != tc.cents {
			t.Errorf("ParseMoney(%q).Cents() = %q, want %q", tc.in, got, tc.cents)
		}
	}
	if m := mustMoney(t, "0.0000000005"); m != 1 {
		t.Errorf("0.0000000005 = %d nano-dollars, want 1 (half up)", m)
	}
	for _, bad := range []string{"", "abc", "1e-3", "1/3"} {
		if _, err := ParseMoney(bad); err == nil {
			t.Errorf("ParseMoney(%q) accepted", bad)
		}
	}
	if got := mustMoney(t, "0.19748").Ceil(3); got != mustMoney(t, "0.198") {
		t.Errorf("Ceil(3) = %s", got)
	}
	if got := mustMoney(t, "0.19748").Round(3); got != mustMoney(t, "0.197") {
		t.Errorf("Round(3) = %s", got)
	}
	var back Money
	b, _ := mustMoney(t, "-3.000000007").MarshalText()
	if err := back.UnmarshalText(b); err != nil || back != mustMoney(t, "-3.000000007") {
		t.Errorf("round trip %s -> %s (%v)", b, back, err)
	}
}

// The seed's section 5, recomputed from the embedded us-east-1 prices.
func TestSeedFiguresReproduced(t *testing.T) {
	t.Parallel()
	got := region(t, "us-east-1").Seed()
	want := SeedFigures{
		Fargate: mustMoney(t, "0.198"), NLB: mustMoney(t, "0.0225"), Running: mustMoney(t, "0.2205"),
		Idle: mustMoney(t, "0.24"), Light: mustMoney(t, "2.45"), Medium: mustMoney(t, "11.27"), BreakEvenHours: 73,
	}
	if got != want {
		t.Fatalf("seed figures\n got %+v\nwant %+v", got, want)
	}
}

// The seed's figures only come out with its rounding: the exact Fargate
// rate gives other cents, so the reproduction is not an accident of inputs.
func TestSeedRoundingExplained(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	exact := r.FargateHourly(SeedTask) + r.Price(NLBHour)
	if exact != mustMoney(t, "0.21998") {
		t.Fatalf("exact running = %s", exact)
	}
	idle := mustMoney(t, "0.24")
	if got := (exact.Mul(10) + idle).Cents(); got != "$2.44" {
		t.Errorf("10 h with the exact rate = %s, want $2.44", got)
	}
	if got := (exact.Mul(50) + idle).Cents(); got != "$11.24" {
		t.Errorf("50 h with the exact rate = %s, want $11.24", got)
	}
	if got := r.FargateHourly(SeedTask).Round(3); got == r.Seed().Fargate {
		t.Errorf("rounding to nearest gives %s; the seed's $0.198 needs rounding up", got)
	}
}

func TestRegionPrices(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		region                  string
		x86, arm, nlb, s3, ipv4 string
	}{
		// 4 vCPU / 8 GB: 4 × vCPU-h + 8 × GB-h.
		{"us-east-1", "0.19748", "0.15800", "0.0225", "0.023", "0.005"},
		{"us-west-2", "0.19748", "0.15800", "0.0225", "0.023", "0.005"},
		{"eu-west-1", "0.19748", "0.15800", "0.0252", "0.023", "0.005"},
		{"eu-central-1", "0.22712", "0.18172", "0.027", "0.0245", "0.005"},
	} {
		t.Run(tc.region, func(t *testing.T) {
			t.Parallel()
			r := region(t, tc.region)
			if got := r.FargateHourly(SeedTask); got != mustMoney(t, tc.x86) {
				t.Errorf("x86 4/8 = %s, want %s", got, tc.x86)
			}
			arm := SeedTask
			arm.Arch = ARM
			if got := r.FargateHourly(arm); got != mustMoney(t, tc.arm) {
				t.Errorf("ARM 4/8 = %s, want %s", got, tc.arm)
			}
			if got := r.Price(NLBHour); got != mustMoney(t, tc.nlb) {
				t.Errorf("NLB = %s, want %s", got, tc.nlb)
			}
			if got := r.Price(S3StandardGBMonth); got != mustMoney(t, tc.s3) {
				t.Errorf("S3 = %s, want %s", got, tc.s3)
			}
			if got := r.Price(PublicIPv4Hour); got != mustMoney(t, tc.ipv4) {
				t.Errorf("IPv4 = %s, want %s", got, tc.ipv4)
			}
			for _, k := range Keys {
				it := r.Items[k]
				if !strings.HasPrefix(it.Source, "https://aws.amazon.com/") || it.Date == "" || it.Basis == "" {
					t.Errorf("%s has no dated source: %+v", k, it)
				}
			}
		})
	}
}

// field-facts.md lists the us-east-1 prices the table must agree with.
func TestUSEast1MatchesFieldFacts(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	for k, want := range map[Key]string{
		FargateX86VCPUHour: "0.04048", FargateX86GBHour: "0.004445",
		FargateARMVCPUHour: "0.03238", FargateARMGBHour: "0.00356",
		NLBHour: "0.0225", NLCUHour: "0.006", ALBHour: "0.0225", LCUHour: "0.008",
		PublicIPv4Hour: "0.005", S3StandardGBMonth: "0.023", SSMAdvancedParamMon: "0.05",
		Route53ZoneMonth: "0.50", LogsIngestGB: "0.50", LogsStorageGBMonth: "0.03",
	} {
		if got := r.Price(k); got != mustMoney(t, want) {
			t.Errorf("%s = %s, field-facts says %s", k, got, want)
		}
	}
	if got := r.DTOTiers[1].USD; got != mustMoney(t, "0.09") || r.DTOTiers[0].UpToGB != 100 || r.DTOTiers[0].USD != 0 {
		t.Errorf("data transfer tiers %+v", r.DTOTiers[:2])
	}
}

func TestLookupUnknownRegion(t *testing.T) {
	t.Parallel()
	p, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for in, suggest := range map[string]string{
		"us-east-2":   "did you mean us-east-1",
		"eu-centrl-1": "did you mean eu-central-1",
		"EU-WEST-1":   "eu-west-1",
	} {
		_, err := p.Lookup(in)
		if err == nil || !strings.Contains(err.Error(), suggest) || !strings.Contains(err.Error(), "--refresh-prices") {
			t.Errorf("Lookup(%q) error = %v, want it to suggest %q", in, err, suggest)
		}
	}
}

func TestParseRejectsIncompleteTable(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"no hours":    `{"currency":"USD","regions":{}}`,
		"currency":    `{"currency":"EUR","hours_per_month":730,"regions":{}}`,
		"missing key": `{"currency":"USD","hours_per_month":730,"regions":{"xx-1":{"items":{}}}}`,
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Billing granularity: Fargate per second with a one-minute minimum, the NLB
// per started hour, public IPv4 pro rata per second.
func TestSessionBillingGranularity(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s := Session{Task: SeedTask, NLBAddresses: 2, TaskPublicIP: true}
	for _, tc := range []struct {
		d                  time.Duration
		fargate, nlb, ipv4 string
	}{
		{0, "0", "0", "0"},
		{20 * time.Second, "0.0032913333", "0.0225", "0.0000833333"}, // Fargate pays the 60 s minimum
		{time.Minute, "0.0032913333", "0.0225", "0.00025"},
		{time.Hour, "0.19748", "0.0225", "0.015"},
		{time.Hour + 500*time.Millisecond, "0.1975348556", "0.045", "0.0150041667"}, // a started second, a started hour
		{61 * time.Minute, "0.2007713333", "0.045", "0.01525"},                      // 61 minutes: two NLB hours
		{2 * time.Hour, "0.39496", "0.045", "0.03"},
	} {
		e := r.SessionCost(s, Uniform(tc.d))
		if got := e.Line(CFargate); got != mustMoney(t, tc.fargate) {
			t.Errorf("%s: Fargate %s, want %s", tc.d, got, tc.fargate)
		}
		if got := e.Line(CNLB); got != mustMoney(t, tc.nlb) {
			t.Errorf("%s: NLB %s, want %s", tc.d, got, tc.nlb)
		}
		if got := e.Line(CIPv4); got != mustMoney(t, tc.ipv4) {
			t.Errorf("%s: IPv4 %s, want %s", tc.d, got, tc.ipv4)
		}
		var sum Money
		for _, l := range e.Lines {
			sum += l.Amount
		}
		if sum != e.Total {
			t.Errorf("%s: total %s is not the sum of its lines %s", tc.d, e.Total, sum)
		}
	}
}

func TestRunningPerHour(t *testing.T) {
	t.Parallel()
	s, _ := SeedScenario()
	for _, tc := range []struct {
		region                 string
		ipv4, nlcu, dto, total string
	}{
		// 5 × 3000 kbit/s × 3600 s = 6.75e9 bytes processed = 6.2864274 GiB × $0.006;
		// 5 × 2000 kbit/s × 3600 s = 4.5e9 bytes out = 4.1909516 GiB × $0.09.
		{"us-east-1", "0.015", "0.037718564", "0.377185643", "0.649884207"},
		{"eu-central-1", "0.015", "0.037718564", "0.377185643", "0.684024207"},
	} {
		e := region(t, tc.region).RunningPerHour(s)
		for c, want := range map[string]string{CIPv4: tc.ipv4, CNLCU: tc.nlcu, CDTO: tc.dto} {
			if got := e.Line(c); got != mustMoney(t, want) {
				t.Errorf("%s %s = %s, want %s", tc.region, c, got, want)
			}
		}
		if e.Total != mustMoney(t, tc.total) {
			t.Errorf("%s total = %s, want %s", tc.region, e.Total, tc.total)
		}
	}
}

func TestNLCUFlowDimension(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	// A silent meeting of 1,000 participants: 1,000 / 50,000 flows = 0.02 NLCU.
	s := Session{Participants: 1000}
	if got := r.RunningPerHour(s).Line(CNLCU); got != mustMoney(t, "0.00012") {
		t.Errorf("NLCU by flows = %s, want $0.00012", got)
	}
}

func TestDataTransferTiers(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	for _, tc := range []struct {
		gb   int64
		want string
	}{
		{0, "0"},
		{100, "0"},
		{101, "0.09"},
		{10240, "912.6"},    // up to 10 TB: 100 GB free, the rest at $0.09
		{10241, "912.685"},  // then $0.085
		{51200, "4394.2"},   // + 40,960 GB × $0.085
		{153600, "11562.2"}, // + 102,400 GB × $0.07
		{153610, "11562.7"}, // then $0.05
	} {
		if got := r.DTOMonth(tc.gb * gib); got != mustMoney(t, tc.want) {
			t.Errorf("%d GB = %s, want %s", tc.gb, got, tc.want)
		}
	}
}

func TestIdlePerMonth(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	i := Idle{
		BucketBytes:        map[StorageClass]int64{"STANDARD": 10 * gib, "GLACIER": 2 * gib, "DEEP_ARCHIVE": gib, "REDUCED_REDUNDANCY": gib},
		AdvancedParameters: 3, HostedZones: 1, LogBytes: gib / 2, PublicIPv4: 2,
	}
	e := r.IdlePerMonth(i)
	for c, want := range map[string]string{
		CS3:       "0.26119", // 0.23 + 0.0072 + 0.00099 + 0.023 (unknown class priced as Standard)
		CSSM:      "0.15",
		CZones:    "0.5",
		CLogStore: "0.015",
		CIPv4:     "7.3", // 2 × 730 h × $0.005
	} {
		if got := e.Line(c); got != mustMoney(t, want) {
			t.Errorf("%s = %s, want %s", c, got, want)
		}
	}
	if e.Total != mustMoney(t, "8.22619") {
		t.Errorf("total %s", e.Total)
	}
	if len(e.Notes) != 1 || !strings.Contains(e.Notes[0], "REDUCED_REDUNDANCY") {
		t.Errorf("notes %q", e.Notes)
	}
}

func TestMonth(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, i := SeedScenario()
	m := r.Month(s, i, HoursOfUse(10))
	one := r.SessionCost(s, Meeting(time.Hour))
	if got := m.Line(CNLB); got != r.Price(NLBHour).Mul(20) {
		t.Errorf("10 one-hour meetings with overhead pay %s of NLB, want 20 NLB hours", got)
	}
	if got := m.Line(CFargate); got != one.Line(CFargate).Mul(10) {
		t.Errorf("Fargate %s", got)
	}
	// 10 h × 4.19 GiB out = 41.9 GiB: inside the free 100 GB.
	if got := m.Line(CDTO); got != 0 {
		t.Errorf("DTO %s, want 0 under the free tier", got)
	}
	if got := m.Line("Idle: " + CZones); got != mustMoney(t, "0.5") {
		t.Errorf("idle zone %s", got)
	}
	if m.Total.Cents() != "$3.86" {
		t.Errorf("10 h corrected = %s", m.Total.Cents())
	}
	if got := r.Month(s, i, HoursOfUse(50)).Total.Cents(); got != "$26.10" {
		t.Errorf("50 h corrected = %s", got)
	}
}

// At the break-even point the on-demand month and the always-on month cost
// the same: one session fewer is cheaper on demand, one more is dearer.
func TestBreakEvenIsWhereTheMonthsCross(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, i := SeedScenario()
	be := r.BreakEven(s, Meeting(time.Hour), AlwaysOnBridge)
	if !be.Within {
		t.Fatalf("bridge break-even %s not within a month", be.HoursText())
	}
	k := be.Sessions.Num().Int64() / be.Sessions.Denom().Int64()
	for _, tc := range []struct {
		sessions int64
		cheaper  bool
	}{{k, true}, {k + 1, false}} {
		u := MonthUsage{Sessions: tc.sessions, Each: Meeting(time.Hour)}
		od, ao := r.Month(s, i, u).Total, r.AlwaysOnMonth(s, i, u).Total
		if (od <= ao) != tc.cheaper {
			t.Errorf("%d sessions: on demand %s, always-on %s", tc.sessions, od, ao)
		}
	}
	if be.HoursText() != "631.0 h" {
		t.Errorf("bridge break-even %s", be.HoursText())
	}
}

func TestBreakEvenALB(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, _ := SeedScenario()
	for _, tc := range []struct {
		u      Usage
		hours  string
		within bool
	}{
		// Meetings with overhead pay two NLB hours and 65 min of two EIPs.
		{Meeting(time.Hour), "424.9 h", true},
		// Back-to-back whole hours: the NLB plus its addresses cost what the
		// ALB plus its addresses cost, so on demand never costs more.
		{Uniform(time.Hour), "730.0 h", false},
	} {
		be := r.BreakEven(s, tc.u, AlwaysOnALB)
		// ALB 730 h + 2 addresses × 730 h.
		if be.AlwaysOnMonthly != mustMoney(t, "23.725") {
			t.Errorf("always-on ALB month %s", be.AlwaysOnMonthly)
		}
		if be.HoursText() != tc.hours || be.Within != tc.within {
			t.Errorf("%+v: break-even %s within=%v, want %s %v", tc.u, be.HoursText(), be.Within, tc.hours, tc.within)
		}
	}
	// The seed's formula divides by Fargate as well, which both designs pay.
	if seed := r.Seed().BreakEvenHours; seed != 73 {
		t.Errorf("seed's break-even %d", seed)
	}
}

// Traffic and idle items are the same in both designs; the difference is
// exactly what BreakEven counts.
func TestAlwaysOnMonthDiffersOnlyInFixedParts(t *testing.T) {
	t.Parallel()
	r := region(t, "us-east-1")
	s, i := SeedScenario()
	s.LogMBPerHour = 10
	u := MonthUsage{Sessions: 30, Each: Uniform(time.Hour)} // whole hours: no NLB rounding
	od, ao := r.Month(s, i, u), r.AlwaysOnMonth(s, i, u)
	for _, c := range []string{CNLCU, CDTO, "Idle: " + CS3, "Idle: " + CZones} {
		if od.Line(c) != ao.Line(c) {
			t.Errorf("%s: on demand %s, always-on %s", c, od.Line(c), ao.Line(c))
		}
	}
	// Fargate + NLB + 3 addresses for the 700 hours without meetings, and
	// 10 MB/h of logs for them.
	fixed := r.FargateHourly(s.Task) + r.Price(NLBHour) + r.Price(PublicIPv4Hour).Mul(3)
	want := fixed.Mul(700) + r.Price(LogsIngestGB).MulDiv(10*700, 1024)
	if got := ao.Total - od.Total; got != want {
		t.Errorf("always-on − on demand = %s, want %s", got, want)
	}
}
