// Package prcomment renders the plan of every stage as one Markdown document (for the job
// summary and the pull request) and keeps one sticky comment per pull request up to date.
package prcomment

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jitsictl/jitsictl/internal/plan"
)

// MaxBody is the default budget for a rendered body. GitHub rejects comments over 65,536
// characters; staying well below leaves room for what GitHub adds.
const MaxBody = 60000

// MaxSummary is the budget for the job summary: GitHub caps a step's summary at 1 MiB.
const MaxSummary = 1000000

// valueLimit caps one rendered attribute value; long policies or user data are noise.
const valueLimit = 200

// CostDelta is the cost of a stage before and after the change. internal/cost fills it; a
// nil *CostDelta renders as "n/a".
type CostDelta struct {
	IdleMonthlyBefore, IdleMonthlyAfter     float64
	RunningHourlyBefore, RunningHourlyAfter float64
}

// StageResult is one stage's plan outcome.
type StageResult struct {
	Name    string
	Summary plan.Summary
	// Policy is the result of plan.Policy.Check: nil means passed.
	Policy error
	// Hash is plan.Hash of the reviewed plan, which apply compares against.
	Hash string
	Cost *CostDelta
	// Err is set when the stage could not be planned at all.
	Err error
}

// Comment is everything the rendered document shows.
type Comment struct {
	// Key distinguishes sticky comments of different workspaces in one PR; empty for one.
	Key     string
	Stages  []StageResult
	RunURL  string // link to the workflow run with the full plan
	HeadSHA string
	// Limit overrides MaxBody when positive.
	Limit int
}

// Marker is the hidden line that identifies the sticky comment for a key.
func Marker(key string) string {
	if key == "" {
		return "<!-- jitsictl:plan -->"
	}
	return "<!-- jitsictl:plan key=" + strings.NewReplacer("--", "- -", ">", "").Replace(key) + " -->"
}

const reviewedPrefix = "<!-- jitsictl:reviewed "

// reviewedLine records each stage's plan hash in a hidden, machine-readable line, so apply
// can read what was reviewed back from the comment (see ReviewedHashes).
func reviewedLine(stages []StageResult) string {
	m := map[string]string{}
	for _, s := range stages {
		if s.Hash != "" {
			m[s.Name] = s.Hash
		}
	}
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	// "--" would end the HTML comment early; \u002d is the same JSON string.
	return reviewedPrefix + strings.ReplaceAll(string(b), "--", `-\u002d`) + " -->\n"
}

// ReviewedHashes reads the stage → plan hash record from a body written by Render. Only
// trust a body found by Upsert's rules (marker and author).
func ReviewedHashes(body string) (map[string]string, error) {
	i := strings.Index(body, reviewedPrefix)
	if i < 0 {
		return nil, errors.New("the plan comment records no reviewed plan hashes; run jitsictl deploy plan on this commit first")
	}
	rest := body[i+len(reviewedPrefix):]
	j := strings.Index(rest, " -->")
	if j < 0 {
		return nil, errors.New("the reviewed plan hash record in the comment is cut off")
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(rest[:j]), &m); err != nil {
		return nil, fmt.Errorf("the reviewed plan hash record in the comment is not valid: %w", err)
	}
	return m, nil
}

// block is a self-contained piece of Markdown. Truncation drops whole blocks, never a
// structural one (drop == keep), so fences and <details> tags always stay balanced.
type block struct {
	text string
	drop dropOrder
}

// dropOrder says which blocks go first when the body is too long: the folded diffs, then
// drift and output lines, and the expanded destructive changes last.
type dropOrder int

const (
	keep dropOrder = iota
	dropLast
	dropSecond
	dropFirst
)

// Render returns the Markdown body: marker, headline, per-stage table, policy failures and
// reviewed hashes above the fold (never truncated), then destructive changes expanded,
// drift and output changes, and the full per-resource diffs folded. If the body exceeds
// the limit, blocks are dropped from the middle and replaced by a pointer to the run.
func Render(c Comment) string {
	limit := c.Limit
	if limit <= 0 {
		limit = MaxBody
	}
	var head strings.Builder
	head.WriteString(Marker(c.Key) + "\n")
	head.WriteString(reviewedLine(c.Stages))
	fmt.Fprintf(&head, "### %s\n\n", Headline(c.Stages))
	writeTable(&head, c.Stages)
	writePolicy(&head, c.Stages)
	writeFooter(&head, c)
	return truncate(head.String(), bodyBlocks(c.Stages), limit, c.RunURL)
}

// Headline is the first line a reviewer reads, e.g.
// "Plan: 3 to add, 1 to change, 1 to replace, 2 to destroy — stage 1 policy FAILED".
func Headline(stages []StageResult) string {
	var total plan.Counts
	outputs, drift := 0, 0
	var failed []string
	for _, s := range stages {
		c := s.Summary.Counts
		total.Create += c.Create
		total.Update += c.Update
		total.Replace += c.Replace
		total.Delete += c.Delete
		total.Forget += c.Forget
		total.Import += c.Import
		outputs += len(s.Summary.Outputs)
		drift += len(s.Summary.Drift)
		switch {
		case s.Err != nil:
			failed = append(failed, "stage "+s.Name+" plan FAILED")
		case s.Policy != nil:
			failed = append(failed, "stage "+s.Name+" policy FAILED")
		}
	}
	var h string
	switch {
	case total.Changes() > 0:
		h = fmt.Sprintf("Plan: %d to add, %d to change, %d to replace, %d to destroy",
			total.Create, total.Update, total.Replace, total.Delete)
		if total.Import > 0 {
			h += fmt.Sprintf(", %d to import", total.Import)
		}
		if total.Forget > 0 {
			h += fmt.Sprintf(", %d to forget", total.Forget)
		}
		if outputs > 0 {
			h += fmt.Sprintf(", %s", plural(outputs, "output change"))
		}
	case outputs > 0:
		h = "Plan: no resource changes, " + plural(outputs, "output change")
	default:
		h = "Plan: no changes"
	}
	if drift > 0 {
		h += fmt.Sprintf(", %d changed outside Terraform", drift)
	}
	if len(failed) > 0 {
		h += " — " + strings.Join(failed, ", ")
	}
	return h
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func writeTable(b *strings.Builder, stages []StageResult) {
	b.WriteString("| Stage | Add | Change | Replace | Destroy | Outputs | Drift | Policy | Idle $/month | Running $/hour | Plan hash |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|---|---|---|---|\n")
	for _, s := range stages {
		if s.Err != nil {
			fmt.Fprintf(b, "| %s | | | | | | | ❌ plan failed | | | |\n", cell(s.Name))
			continue
		}
		c := s.Summary.Counts
		verdict := "✅ passed"
		if s.Policy != nil {
			verdict = "❌ **FAILED**"
		}
		idle, running := "n/a", "n/a"
		if s.Cost != nil {
			idle = delta(s.Cost.IdleMonthlyBefore, s.Cost.IdleMonthlyAfter, 2)
			running = delta(s.Cost.RunningHourlyBefore, s.Cost.RunningHourlyAfter, 4)
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s |\n",
			cell(s.Name), c.Create, c.Update, c.Replace, c.Delete, len(s.Summary.Outputs),
			len(s.Summary.Drift), verdict, idle, running, shortHash(s.Hash))
	}
	b.WriteString("\n")
}

// delta renders "before → after (±change)" with prec decimals: hourly rates need four
// (Fargate 4 vCPU/8 GB is $0.1975/h), monthly amounts two.
func delta(before, after float64, prec int) string {
	money := func(v float64) string { return "$" + strconv.FormatFloat(v, 'f', prec, 64) }
	d := after - before
	if money(before) == money(after) {
		return money(after) + " (no change)"
	}
	if d > 0 {
		return money(before) + " → " + money(after) + " (+" + money(d) + ")"
	}
	return money(before) + " → " + money(after) + " (−" + money(-d) + ")"
}

func shortHash(h string) string {
	if h == "" {
		return ""
	}
	short := strings.TrimPrefix(h, "sha256:")
	if len(short) > 12 {
		short = short[:12]
	}
	return "`" + short + "`"
}

// cell escapes a value for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func writePolicy(b *strings.Builder, stages []StageResult) {
	for _, s := range stages {
		switch {
		case s.Err != nil:
			fmt.Fprintf(b, "> [!CAUTION]\n> Stage %s could not be planned:\n%s\n\n", s.Name, quoteLines(clipText(s.Err.Error(), 2000)))
		case s.Policy != nil:
			fmt.Fprintf(b, "> [!CAUTION]\n> Stage %s policy failed; apply will refuse this plan.\n%s\n\n", s.Name, quoteLines(policyText(s.Policy)))
		}
	}
}

// maxViolations caps the policy list above the fold, which is never truncated.
const maxViolations = 20

func policyText(err error) string {
	var pe *plan.PolicyError
	if !errors.As(err, &pe) {
		return clipText(err.Error(), 2000)
	}
	var lines []string
	lines = append(lines, fmt.Sprintf("%d change(s) not allowed (allowed: %s)", len(pe.Violations), allowedList(pe.Allowed)))
	for i, v := range pe.Violations {
		if i == maxViolations {
			lines = append(lines, fmt.Sprintf("… and %d more", len(pe.Violations)-maxViolations))
			break
		}
		l := fmt.Sprintf("%s %s", v.Action, v.Address)
		if v.Reason != "" {
			l += " (" + v.Reason + ")"
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func allowedList(as []plan.Action) string {
	if len(as) == 0 {
		return "no changes"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}

func quoteLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> `" + strings.ReplaceAll(strings.TrimSpace(l), "`", "'") + "`"
		if i < len(lines)-1 {
			lines[i] += "<br>"
		}
	}
	return strings.Join(lines, "\n")
}

func writeFooter(b *strings.Builder, c Comment) {
	var parts []string
	if c.HeadSHA != "" {
		sha := c.HeadSHA
		if len(sha) > 7 {
			sha = sha[:7]
		}
		parts = append(parts, "commit `"+sha+"`")
	}
	if c.RunURL != "" {
		parts = append(parts, "[workflow run]("+c.RunURL+")")
	}
	if len(parts) > 0 {
		b.WriteString("Planned at " + strings.Join(parts, " · ") + ".\n\n")
	}
	// Full hashes, one per line, so apply (and a human) can compare them.
	var hashes []string
	for _, s := range c.Stages {
		if s.Hash != "" {
			hashes = append(hashes, fmt.Sprintf("stage %s: `%s`", s.Name, s.Hash))
		}
	}
	if len(hashes) > 0 {
		b.WriteString("<sub>Reviewed change sets — " + strings.Join(hashes, " · ") + "</sub>\n\n")
	}
}

var actionIcon = map[plan.Action]string{
	plan.Create: "➕", plan.Update: "🔧", plan.Replace: "♻️", plan.Delete: "🗑️", plan.Read: "📖",
	plan.Forget: "🫥", plan.NoOp: "📥",
}

func bodyBlocks(stages []StageResult) []block {
	var out []block
	add := func(text string, d dropOrder) { out = append(out, block{text: text, drop: d}) }

	// Forgotten objects are listed with the destroys: they leave Terraform's control.
	destroys := func(s plan.Summary) []plan.ResourceChange {
		var out []plan.ResourceChange
		for _, c := range s.Changes {
			if c.Action == plan.Replace || c.Action == plan.Delete || c.Action == plan.Forget {
				out = append(out, c)
			}
		}
		return out
	}
	var anyDestroy bool
	for _, s := range stages {
		if len(destroys(s.Summary)) > 0 {
			anyDestroy = true
		}
	}
	if anyDestroy {
		add("#### ⚠️ Destructive changes\n\n", keep)
		for _, s := range stages {
			d := destroys(s.Summary)
			if len(d) == 0 {
				continue
			}
			add(fmt.Sprintf("Stage %s:\n\n", s.Name), keep)
			for _, c := range d {
				line := fmt.Sprintf("- %s **%s** `%s`", actionIcon[c.Action], c.Action, tick(c.Address))
				if c.Reason != "" {
					line += " — " + c.Reason
				}
				if c.Action == plan.Forget {
					line += " (removed from state, the object is kept)"
				}
				if len(c.ReplacePaths) > 0 {
					line += " (forced by `" + strings.Join(c.ReplacePaths, "`, `") + "`)"
				}
				add(line+"\n", dropLast)
			}
			add("\n", keep)
		}
	}

	for _, s := range stages {
		if len(s.Summary.Drift) == 0 {
			continue
		}
		add(fmt.Sprintf("#### Stage %s: changed outside Terraform\n\n", s.Name), keep)
		for _, c := range s.Summary.Drift {
			add(fmt.Sprintf("- `%s` (%s): %s\n", tick(c.Address), c.Action, attrSummary(c.Attrs)), dropSecond)
		}
		add("\n", keep)
	}

	for _, s := range stages {
		if len(s.Summary.Outputs) == 0 {
			continue
		}
		add(fmt.Sprintf("#### Stage %s: output changes\n\n", s.Name), keep)
		for _, o := range s.Summary.Outputs {
			var change string
			switch o.Action {
			case plan.Create:
				change = "new, " + code(o.After)
			case plan.Delete:
				change = "removed, was " + code(o.Before)
			default:
				change = code(o.Before) + " → " + code(o.After)
			}
			add(fmt.Sprintf("- `%s` (%s): %s\n", o.Name, o.Action, change), dropSecond)
		}
		add("\n", keep)
	}

	for _, s := range stages {
		if len(s.Summary.Changes) == 0 {
			continue
		}
		add(fmt.Sprintf("<details><summary>Stage %s: full plan (%s)</summary>\n\n", s.Name, plural(len(s.Summary.Changes), "resource change")), keep)
		for _, c := range s.Summary.Changes {
			add(resourceDiff(c), dropFirst)
		}
		add("</details>\n\n", keep)
	}
	return out
}

func code(s string) string {
	s = clip(s)
	if strings.HasPrefix(s, "(") {
		return "_" + s + "_" // a marker, not a value
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// tick keeps an address (whose for_each keys may hold any text) inside its code span.
func tick(s string) string { return strings.ReplaceAll(s, "`", "'") }

func attrSummary(attrs []plan.AttrChange) string {
	if len(attrs) == 0 {
		return "no attribute differences shown"
	}
	var parts []string
	for i, a := range attrs {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(attrs)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("`%s` %s → %s", a.Path, code(a.Before), code(a.After)))
	}
	return strings.Join(parts, "; ")
}

func clip(s string) string {
	if len(s) <= valueLimit {
		return s
	}
	cut := valueLimit
	for cut > 0 && (s[cut]&0xC0) == 0x80 { // stay on a UTF-8 boundary
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}

var diffSign = map[plan.Action]string{
	plan.Create: "+", plan.Update: "~", plan.Replace: "-/+", plan.Delete: "-", plan.Read: "<=",
	plan.Forget: ".", plan.NoOp: " ",
}

func resourceDiff(c plan.ResourceChange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "`%s` %s %s", tick(c.Address), actionIcon[c.Action], c.Action)
	if c.PreviousAddress != "" {
		fmt.Fprintf(&b, " (moved from `%s`)", tick(c.PreviousAddress))
	}
	if c.Deposed != "" {
		fmt.Fprintf(&b, " (deposed object %s)", c.Deposed)
	}
	if c.Importing != "" {
		fmt.Fprintf(&b, " (import %s)", code(c.Importing))
	}
	if c.Reason != "" {
		b.WriteString(" — " + c.Reason)
	}
	b.WriteString("\n\n```diff\n")
	fmt.Fprintf(&b, "%s %s\n", diffSign[c.Action], fence(c.Address))
	for _, a := range c.Attrs {
		switch {
		case a.Added:
			fmt.Fprintf(&b, "+   %s = %s\n", a.Path, fence(clip(a.After)))
		case a.Removed:
			fmt.Fprintf(&b, "-   %s = %s\n", a.Path, fence(clip(a.Before)))
		default:
			fmt.Fprintf(&b, "!   %s = %s → %s\n", a.Path, fence(clip(a.Before)), fence(clip(a.After)))
		}
	}
	b.WriteString("```\n\n")
	return b.String()
}

// fence keeps a value from closing the surrounding code fence.
func fence(s string) string { return strings.ReplaceAll(s, "```", "`\u200b``") }

// truncate joins head and blocks; over the limit it drops droppable blocks from the middle
// outwards and puts one notice with a link to the run where each run of dropped blocks was.
func truncate(head string, blocks []block, limit int, runURL string) string {
	total := len(head)
	for _, b := range blocks {
		total += len(b.text)
	}
	if total <= limit {
		return joinBlocks(head, blocks, nil, runURL)
	}
	const noticeBudget = 600 // room for notices; one per run of dropped blocks
	dropped := make(map[int]bool)
	for _, order := range []dropOrder{dropFirst, dropSecond, dropLast} {
		var cand []int
		for i, b := range blocks {
			if b.drop == order {
				cand = append(cand, i)
			}
		}
		// Middle first, alternating sides: the start and end of each list stay visible.
		mid := len(cand) / 2
		for step := 0; step < 2*len(cand)+1 && total+noticeBudget > limit; step++ {
			k := mid + (step+1)/2
			if step%2 == 1 {
				k = mid - (step+1)/2
			}
			if k < 0 || k >= len(cand) || dropped[cand[k]] {
				continue
			}
			dropped[cand[k]] = true
			total -= len(blocks[cand[k]].text)
		}
	}
	out := joinBlocks(head, blocks, dropped, runURL)
	if len(out) > limit {
		// Only a head over the limit gets here (hundreds of stages); GitHub would refuse
		// the body, so cut at a line and point to the run.
		out = cutHead(out, limit, runURL)
	}
	return out
}

func cutHead(s string, limit int, runURL string) string {
	notice := "\n\n> ✂️ cut to stay under GitHub's comment limit; the full plan is in the workflow run " + runURL + "\n"
	cut := max(limit-len(notice), 0)
	if i := strings.LastIndexByte(s[:cut], '\n'); i >= 0 {
		cut = i
	}
	return s[:cut] + notice
}

func joinBlocks(head string, blocks []block, dropped map[int]bool, runURL string) string {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < len(blocks); i++ {
		if !dropped[i] {
			b.WriteString(blocks[i].text)
			continue
		}
		chars, n := 0, 0
		for ; i < len(blocks) && (dropped[i] || (blocks[i].drop == keep && strings.TrimSpace(blocks[i].text) == "")); i++ {
			if dropped[i] {
				chars += len(blocks[i].text)
				n++
			}
		}
		i--
		where := "the workflow run's job summary"
		if runURL != "" {
			where = "[the workflow run](" + runURL + ")"
		}
		fmt.Fprintf(&b, "\n> ✂️ %s (%d characters) omitted to stay under GitHub's comment limit; the full plan is in %s.\n\n", entries(n), chars, where)
	}
	return b.String()
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
