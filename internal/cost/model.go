package cost

import (
	"fmt"
	"time"
)

// Arch is the task's CPU architecture, spelled as ECS runtimePlatform does.
type Arch string

const (
	X86 Arch = "X86_64"
	ARM Arch = "ARM64"
)

// TaskSize is a Fargate task size in the task definition's own units, so
// the arithmetic stays exact: 1024 CPU units = 1 vCPU, 1024 MiB = 1 GB.
type TaskSize struct {
	CPUUnits  int64
	MemoryMiB int64
	Arch      Arch
}

func (t TaskSize) String() string {
	return fmt.Sprintf("%s vCPU / %s GB %s", ratio(t.CPUUnits, 1024), ratio(t.MemoryMiB, 1024), t.Arch)
}

func ratio(n, d int64) string {
	if n%d == 0 {
		return fmt.Sprint(n / d)
	}
	return fmt.Sprintf("%.2f", float64(n)/float64(d))
}

// Session describes what runs while a meeting is open.
type Session struct {
	Task TaskSize
	// NLBAddresses counts the NLB's public IPv4 addresses (one Elastic IP per
	// enabled AZ) that exist only during sessions. EIPs kept between
	// sessions belong in Idle.PublicIPv4 instead.
	NLBAddresses int64
	// TaskPublicIP is true when the task gets its own public IPv4
	// (assignPublicIp in a public subnet); it is billed like any other.
	TaskPublicIP bool
	// Participants and their mean bitrates drive NLCU and data transfer out:
	// the bridge sends each participant DownKbps and receives UpKbps.
	Participants int64
	DownKbps     int64
	UpKbps       int64
	// LogMBPerHour is the CloudWatch Logs ingestion while running.
	LogMBPerHour int64
}

// Usage is how long each billed part of one session existed.
type Usage struct {
	Task  time.Duration // task from image pull to stop (Fargate bills from the pull)
	NLB   time.Duration // NLB from create to delete
	Media time.Duration // time participants were actually sending media
}

// Uniform is a session where the task, the NLB and the meeting all last d.
func Uniform(d time.Duration) Usage { return Usage{Task: d, NLB: d, Media: d} }

// Line is one component of an estimate.
type Line struct {
	Component string
	Detail    string
	Amount    Money
}

// Estimate is a priced breakdown. Per says what the total is for.
type Estimate struct {
	Per   string // "hour", "month", "session"
	Lines []Line
	Total Money
	Notes []string
}

func (e *Estimate) add(component, detail string, m Money) {
	e.Lines = append(e.Lines, Line{component, detail, m})
	e.Total += m
}

// Line returns the amount of a named component (0 if absent).
func (e Estimate) Line(component string) Money {
	for _, l := range e.Lines {
		if l.Component == component {
			return l.Amount
		}
	}
	return 0
}

// Component names, shared by estimates, renderings and deltas.
const (
	CFargate   = "Fargate task"
	CNLB       = "NLB hours"
	CNLCU      = "NLCU"
	CIPv4      = "Public IPv4"
	CDTO       = "Data transfer out"
	CLogIngest = "CloudWatch Logs ingestion"
	CS3        = "S3 storage"
	CSSM       = "SSM advanced parameters"
	CZones     = "Route 53 hosted zones"
	CLogStore  = "CloudWatch Logs storage"
)

const (
	gib         = int64(1) << 30
	secsPerHour = int64(3600)
)

// FargateHourly is the task's price per hour.
func (r *RegionPrices) FargateHourly(t TaskSize) Money {
	vcpu, gb := r.Price(FargateX86VCPUHour), r.Price(FargateX86GBHour)
	if t.Arch == ARM {
		vcpu, gb = r.Price(FargateARMVCPUHour), r.Price(FargateARMGBHour)
	}
	return vcpu.MulDiv(t.CPUUnits, 1024) + gb.MulDiv(t.MemoryMiB, 1024)
}

func (s Session) publicIPv4() int64 {
	n := s.NLBAddresses
	if s.TaskPublicIP {
		n++
	}
	return n
}

// bytes the bridge sends out and the NLB processes (both directions) in secs.
func (s Session) traffic(secs int64) (out, processed int64) {
	out = s.Participants * s.DownKbps * 125 * secs
	processed = s.Participants * (s.DownKbps + s.UpKbps) * 125 * secs
	return out, processed
}

// nlcu prices the NLB capacity units for secs of media. An NLCU-hour buys
// 1 GB processed, 50,000 active UDP flows or 400 new flows/s; AWS bills the
// largest dimension. A meeting has one flow per participant, so bytes win
// unless the meeting is silent.
func (r *RegionPrices) nlcu(s Session, secs int64) Money {
	_, processed := s.traffic(secs)
	rate := r.Price(NLCUHour)
	byBytes := rate.MulDiv(processed, gib)
	byFlows := rate.MulDiv(s.Participants*secs, 50_000*secsPerHour)
	return max(byBytes, byFlows)
}

// firstPaidDTO is the first non-free tier rate, used when a single hour or
// session is priced on its own (the free 100 GB belongs to the month).
func (r *RegionPrices) firstPaidDTO() Money {
	for _, t := range r.DTOTiers {
		if t.USD > 0 {
			return t.USD
		}
	}
	return 0
}

// DTOMonth prices a month's data transfer out through the tiers.
func (r *RegionPrices) DTOMonth(bytes int64) Money {
	var total Money
	lower := int64(0) // bytes
	for _, t := range r.DTOTiers {
		upper := t.UpToGB * gib
		if t.UpToGB == 0 || bytes < upper {
			upper = bytes
		}
		if upper > lower {
			total += t.USD.MulDiv(upper-lower, gib)
		}
		if upper >= bytes {
			break
		}
		lower = upper
	}
	return total
}

// RunningPerHour is what one hour of an open session costs.
func (r *RegionPrices) RunningPerHour(s Session) Estimate {
	e := Estimate{Per: "hour"}
	e.add(CFargate, s.Task.String(), r.FargateHourly(s.Task))
	e.add(CNLB, "1 NLB", r.Price(NLBHour))
	e.add(CIPv4, fmt.Sprintf("%d address(es): %d NLB, %s", s.publicIPv4(), s.NLBAddresses, taskIPWord(s.TaskPublicIP)),
		r.Price(PublicIPv4Hour).Mul(s.publicIPv4()))
	out, processed := s.traffic(secsPerHour)
	e.add(CNLCU, fmt.Sprintf("%s GB processed/h (%d participants, %d+%d kbit/s)", gbWord(processed), s.Participants, s.DownKbps, s.UpKbps),
		r.nlcu(s, secsPerHour))
	e.add(CDTO, fmt.Sprintf("%s GB/h at %s/GB", gbWord(out), r.firstPaidDTO()), r.firstPaidDTO().MulDiv(out, gib))
	if s.LogMBPerHour > 0 {
		e.add(CLogIngest, fmt.Sprintf("%d MB/h", s.LogMBPerHour), r.Price(LogsIngestGB).MulDiv(s.LogMBPerHour, 1024))
	}
	e.Notes = append(e.Notes, "data transfer priced at the first paid tier; a month's first 100 GB are free (see the monthly figures)")
	return e
}

func taskIPWord(b bool) string {
	if b {
		return "1 task"
	}
	return "no task address"
}

func gbWord(bytes int64) string { return fmt.Sprintf("%.2f", float64(bytes)/float64(gib)) }

// SessionCost prices one session with AWS's billing granularity: Fargate per
// second with a one-minute minimum, the NLB per started hour (61 minutes pay
// two hours), public IPv4 per second (AWS prices it per address-hour pro
// rata, like Elastic IPs before it), NLCU and transfer by volume.
func (r *RegionPrices) SessionCost(s Session, u Usage) Estimate {
	e := Estimate{Per: "session"}
	taskRan := ceilSeconds(u.Task)
	taskSecs := taskRan
	if taskSecs > 0 && taskSecs < 60 {
		taskSecs = 60 // Fargate's one-minute minimum; the address is not rounded
	}
	e.add(CFargate, fmt.Sprintf("%s for %s", s.Task, secsWord(taskSecs)), r.FargateHourly(s.Task).MulDiv(taskSecs, secsPerHour))
	nlbSecs := ceilSeconds(u.NLB)
	nlbHours := (nlbSecs + secsPerHour - 1) / secsPerHour
	e.add(CNLB, fmt.Sprintf("%d started hour(s) for %s", nlbHours, secsWord(nlbSecs)), r.Price(NLBHour).Mul(nlbHours))
	ipSecs := s.NLBAddresses * nlbSecs
	if s.TaskPublicIP {
		ipSecs += taskRan
	}
	e.add(CIPv4, fmt.Sprintf("%d NLB address(es) for %s, %s", s.NLBAddresses, secsWord(nlbSecs), taskIPWord(s.TaskPublicIP)),
		r.Price(PublicIPv4Hour).MulDiv(ipSecs, secsPerHour))
	mediaSecs := ceilSeconds(u.Media)
	out, processed := s.traffic(mediaSecs)
	e.add(CNLCU, fmt.Sprintf("%s GB processed", gbWord(processed)), r.nlcu(s, mediaSecs))
	e.add(CDTO, fmt.Sprintf("%s GB at %s/GB", gbWord(out), r.firstPaidDTO()), r.firstPaidDTO().MulDiv(out, gib))
	if s.LogMBPerHour > 0 {
		e.add(CLogIngest, "", r.Price(LogsIngestGB).MulDiv(s.LogMBPerHour*taskRan, 1024*secsPerHour))
	}
	return e
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

func secsWord(s int64) string {
	return (time.Duration(s) * time.Second).String()
}

// StorageClass is an S3 storage class as ListObjectsV2 reports it.
type StorageClass string

var classKeys = map[StorageClass]Key{
	"STANDARD":     S3StandardGBMonth,
	"STANDARD_IA":  S3StandardIAGBMonth,
	"GLACIER_IR":   S3GlacierIRGBMonth,
	"GLACIER":      S3GlacierGBMonth,
	"DEEP_ARCHIVE": S3DeepArchiveGBMonth,
}

// Idle is what stays while no session is open.
type Idle struct {
	BucketBytes        map[StorageClass]int64
	AdvancedParameters int64
	HostedZones        int64 // includes the private zone a Cloud Map private DNS namespace creates
	LogBytes           int64 // CloudWatch Logs stored
	PublicIPv4         int64 // Elastic IPs kept allocated between sessions
	ECRBytes           int64 // the stack's ECR copies of the images (images = "ecr")
}

// IdlePerMonth prices a month of Idle.
func (r *RegionPrices) IdlePerMonth(i Idle) Estimate {
	e := Estimate{Per: "month"}
	var s3 Money
	var total int64
	for _, class := range sortedClasses(i.BucketBytes) {
		b := i.BucketBytes[class]
		k, ok := classKeys[class]
		if !ok {
			k = S3StandardGBMonth
			e.Notes = append(e.Notes, fmt.Sprintf("S3 class %s is not in the table; priced as STANDARD", class))
		}
		s3 += r.Price(k).MulDiv(b, gib)
		total += b
	}
	e.add(CS3, fmt.Sprintf("%s GB", gbWord(total)), s3)
	e.add(CSSM, fmt.Sprintf("%d parameter(s); standard ones are free", i.AdvancedParameters), r.Price(SSMAdvancedParamMon).Mul(i.AdvancedParameters))
	e.add(CZones, fmt.Sprintf("%d zone(s)", i.HostedZones), r.Price(Route53ZoneMonth).Mul(i.HostedZones))
	e.add(CLogStore, fmt.Sprintf("%s GB", gbWord(i.LogBytes)), r.Price(LogsStorageGBMonth).MulDiv(i.LogBytes, gib))
	e.add(CIPv4, fmt.Sprintf("%d retained address(es) × %d h", i.PublicIPv4, r.HoursPerMonth), r.Price(PublicIPv4Hour).Mul(i.PublicIPv4*r.HoursPerMonth))
	if i.ECRBytes > 0 {
		e.add(CECR, fmt.Sprintf("%s GB of image copies", gbWord(i.ECRBytes)), r.Price(ECRStorageGBMonth).MulDiv(i.ECRBytes, gib))
	}
	return e
}

func sortedClasses(m map[StorageClass]int64) []StorageClass {
	out := make([]StorageClass, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// MonthUsage is a month of sessions, each with the same Usage.
type MonthUsage struct {
	Sessions int64
	Each     Usage
}

// What a session bills beyond its meeting time (field-facts timings): the
// NLB takes ~2.5 min to become active and targets 1–3 min to turn healthy
// before anyone can join, and closing drains and deletes it in about a
// minute; the task starts inside that window and stops with the close.
const (
	NLBOverhead  = 5 * time.Minute
	TaskOverhead = 4 * time.Minute
)

// Meeting is a session whose participants talk for d.
func Meeting(d time.Duration) Usage {
	return Usage{Task: d + TaskOverhead, NLB: d + NLBOverhead, Media: d}
}

// HoursOfUse is n one-hour meetings, each its own session: with the
// overhead every one of them pays two NLB hours.
func HoursOfUse(n int64) MonthUsage { return MonthUsage{Sessions: n, Each: Meeting(time.Hour)} }

// Month prices a month: the sessions, with data transfer run through the
// monthly tiers (first 100 GB free), plus the idle month.
func (r *RegionPrices) Month(s Session, i Idle, u MonthUsage) Estimate {
	one := r.SessionCost(s, u.Each)
	e := Estimate{Per: "month"}
	// What each session bills in whole units (a minute minimum, started
	// hours) is multiplied; what is billed by volume is priced on the
	// month's total, as AWS does.
	for _, c := range []string{CFargate, CNLB, CIPv4} {
		e.add(c, fmt.Sprintf("%d session(s)", u.Sessions), one.Line(c).Mul(u.Sessions))
	}
	mediaSecs := ceilSeconds(u.Each.Media) * u.Sessions
	out, processed := s.traffic(mediaSecs)
	e.add(CNLCU, fmt.Sprintf("%s GB processed", gbWord(processed)), r.nlcu(s, mediaSecs))
	e.add(CDTO, fmt.Sprintf("%s GB, first 100 GB free", gbWord(out)), r.DTOMonth(out))
	if s.LogMBPerHour > 0 {
		taskSecs := ceilSeconds(u.Each.Task) * u.Sessions
		e.add(CLogIngest, "", r.Price(LogsIngestGB).MulDiv(s.LogMBPerHour*taskSecs, 1024*secsPerHour))
	}
	idle := r.IdlePerMonth(i)
	for _, l := range idle.Lines {
		e.add("Idle: "+l.Component, l.Detail, l.Amount)
	}
	e.Notes = append(e.Notes, idle.Notes...)
	return e
}

// AlwaysOnMonth prices the same stack with the bridge and NLB kept running
// all month, with the same meetings (so the same traffic) and the same
// idle items.
func (r *RegionPrices) AlwaysOnMonth(s Session, i Idle, u MonthUsage) Estimate {
	h := r.HoursPerMonth
	e := Estimate{Per: "month"}
	e.add(CFargate, fmt.Sprintf("%d h", h), r.FargateHourly(s.Task).Mul(h))
	e.add(CNLB, fmt.Sprintf("%d h", h), r.Price(NLBHour).Mul(h))
	e.add(CIPv4, fmt.Sprintf("%d address(es) × %d h", s.publicIPv4(), h), r.Price(PublicIPv4Hour).Mul(s.publicIPv4()*h))
	mediaSecs := ceilSeconds(u.Each.Media) * u.Sessions
	out, _ := s.traffic(mediaSecs)
	e.add(CNLCU, "", r.nlcu(s, mediaSecs))
	e.add(CDTO, "", r.DTOMonth(out))
	if s.LogMBPerHour > 0 {
		e.add(CLogIngest, fmt.Sprintf("%d h", h), r.Price(LogsIngestGB).MulDiv(s.LogMBPerHour*h, 1024))
	}
	idle := r.IdlePerMonth(i)
	for _, l := range idle.Lines {
		e.add("Idle: "+l.Component, l.Detail, l.Amount)
	}
	return e
}
