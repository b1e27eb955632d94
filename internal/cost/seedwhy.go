package cost

import (
	"fmt"
	"strings"
)

// seedRow is one line of the seed comparison and, when the two sides differ,
// why: what the seed rounded or left out.
type seedRow struct {
	label, seed, corrected, why string
}

func (c Comparison) rows() []seedRow {
	s, ipv4 := c.Session, c.Running.Line(CIPv4)
	leftOut := c.Running.Line(CIPv4) + c.Running.Line(CNLCU) + c.Running.Line(CDTO)
	idleWhy := fmt.Sprintf("both price the seed's storage (10 GB S3, 2 GB archive); the seed left out "+
		"the Cloud Map hosted zone (%s) and CloudWatch Logs (%s). This stack's idle month is above",
		c.IdleMonth.Line(CZones).Cents(), c.IdleMonth.Line(CLogStore).Cents())
	monthWhy := func(h int64) string {
		return fmt.Sprintf("%d h × what the seed left out (%s/h) plus the idle difference, less its rounding "+
			"of Fargate; the month table above adds this stack's idle month instead", h, leftOut)
	}
	rows := []seedRow{
		{"Fargate 4 vCPU / 8 GB, per hour", c.Seed.Fargate.String(), c.Running.Line(CFargate).String(),
			fmt.Sprintf("the seed rounded %s up to the tenth of a cent", c.Running.Line(CFargate))},
		{"NLB, per hour", c.Seed.NLB.String(), c.Running.Line(CNLB).String(), ""},
		{"Public IPv4, per hour", "—", ipv4.String(),
			fmt.Sprintf("left out: %d public address(es) (%d NLB, %s) bill hourly", s.publicIPv4(), s.NLBAddresses, taskIPWord(s.TaskPublicIP))},
		{"NLCU, per hour", "—", c.Running.Line(CNLCU).String(),
			fmt.Sprintf("left out: the NLB's capacity units for %d participants' traffic", s.Participants)},
		{"Data transfer out, per hour", "—", c.Running.Line(CDTO).String(),
			"left out: media the bridge sends to the internet"},
		{"Running, per hour", c.Seed.Running.String(), c.Running.Total.String(),
			"the seed counted Fargate and the NLB hour only, not the three lines above"},
		{"Idle, per month", c.Seed.Idle.Cents(), c.IdleMonth.Total.Cents(), idleWhy},
		{"10 h a month", c.Seed.Light.Cents(), c.Light.Total.Cents(), monthWhy(10)},
		{"50 h a month", c.Seed.Medium.Cents(), c.Medium.Total.Cents(), monthWhy(50)},
		{"Break-even vs always-on ALB", fmt.Sprintf("%d h", c.Seed.BreakEvenHours), c.ALB.HoursText(),
			"the seed divided by Fargate + NLB, but Fargate is paid in both designs: only the NLB differs"},
	}
	for i := range rows {
		if rows[i].seed == rows[i].corrected {
			rows[i].why = ""
		}
	}
	return rows
}

// textWidth is the widest line the terminal report writes.
const textWidth = 100

// wrap breaks s into lines of at most width columns, the first starting with
// first and the rest with indent.
func wrap(s, first, indent string, width int) string {
	var b strings.Builder
	line := first
	for _, w := range strings.Fields(s) {
		if len([]rune(line))+1+len([]rune(w)) > width && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		if !strings.HasSuffix(line, " ") && line != "" {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}
