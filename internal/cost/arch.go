package cost

import (
	"fmt"
	"strings"
)

// ECRStorageGBMonth prices the stack's private image copies (images = "ecr"). It is
// not in Keys: --refresh-prices does not read it, and a table without it prices 0.
const ECRStorageGBMonth Key = "ecr_storage_gb_month"

// CECR is the idle month's line for the stack's ECR copies of the images.
const CECR = "ECR storage"

// ArchHour prices one session hour of the same task on one architecture.
type ArchHour struct {
	Arch    Arch
	Fargate Money // the task alone
	Session Money // everything a running hour costs (RunningPerHour)
	Current bool  // the architecture the stack runs
}

// Architectures prices s's running hour on ARM64 and on X86_64: only Fargate differs.
func (r *RegionPrices) Architectures(s Session) []ArchHour {
	var out []ArchHour
	for _, a := range []Arch{ARM, X86} {
		t := s
		t.Task.Arch = a
		out = append(out, ArchHour{Arch: a, Fargate: r.FargateHourly(t.Task), Session: r.RunningPerHour(t).Total, Current: a == s.Task.Arch})
	}
	return out
}

// archWords is the one line the text and Markdown reports show.
func archWords(hs []ArchHour) string {
	if len(hs) != 2 {
		return ""
	}
	var parts []string
	for _, h := range hs {
		mark := ""
		if h.Current {
			mark = " (this stack)"
		}
		parts = append(parts, fmt.Sprintf("%s%s %s a session hour (Fargate %s)", h.Arch, mark, h.Session, h.Fargate))
	}
	arm, x86 := hs[0], hs[1]
	saved := 0.0
	if x86.Fargate > 0 {
		saved = 100 * float64(x86.Fargate-arm.Fargate) / float64(x86.Fargate)
	}
	return fmt.Sprintf("%s; ARM64's Fargate hour is %.0f%% cheaper", strings.Join(parts, ", "), saved)
}
