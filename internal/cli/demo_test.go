package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// The README's first command, run as a user runs it (no AWS environment at
// all): the whole session lifecycle on a local emulator, nothing left behind.
// Its human output is kept as a transcript (testdata/demo.txt): progress on
// stderr, the verdict block on stdout, no key/value lines, 100 columns.
func TestDemoRunsTheWholeLifecycle(t *testing.T) {
	t.Parallel() // starts a moto of its own
	tmp := t.TempDir()
	var stdout, stderr testbed.Buffer
	ctx := testbed.Context(t)
	env := map[string]string{"HOME": os.Getenv("HOME"), "PATH": os.Getenv("PATH"), "TMPDIR": tmp}
	code := Run(ctx, []string{"demo"}, Env{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr})
	if code != ExitOK {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("demo left files in its temporary folder: %v", left)
	}
	work := regexp.MustCompile(regexp.QuoteMeta(tmp) + `/jitsictl-demo-\d+`)
	transcript := "$ jitsictl demo\n" + demoProgress(work.ReplaceAllString(stderr.String(), "<work>")) + stdout.String()
	goldenTranscript(t, "demo.txt", maskTranscript(transcript, nil))
}

// demoProgress is the demo's stderr without what depends on timing: the
// wait lines (redrawn in place on a terminal, as many as the polls took) and
// the order of the steps a session open runs at once.
func demoProgress(stderr string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "    waiting for ") {
			continue
		}
		// The target groups come in the order the emulator lists them.
		if verb, list, ok := strings.Cut(l, "registered "); ok && strings.HasPrefix(l, "targets: ") {
			items := strings.Split(list, ", ")
			sort.Strings(items)
			l = verb + "registered " + strings.Join(items, ", ")
		}
		lines = append(lines, l)
	}
	from, to := -1, -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "<== addresses "):
			from = i + 1
		case l == "==> targets" && from >= 0:
			to = i
		}
	}
	if from >= 0 && to > from {
		// Steps begun, what they said, steps done: each part in name order.
		rank := func(l string) int {
			switch {
			case strings.HasPrefix(l, "==> "):
				return 0
			case strings.HasPrefix(l, "<== "):
				return 2
			}
			return 1
		}
		w := lines[from:to]
		sort.SliceStable(w, func(i, j int) bool {
			if rank(w[i]) != rank(w[j]) {
				return rank(w[i]) < rank(w[j])
			}
			return w[i] < w[j]
		})
		// Early registration reports each target group as it appears: one
		// line for both, or (on a loaded machine) a line each.
		merged := slices.Clone(lines[:from])
		for _, l := range w {
			const reg = "targets: registered "
			if last := len(merged) - 1; strings.HasPrefix(l, reg) && !strings.Contains(l, ";") &&
				strings.HasPrefix(merged[last], reg) && !strings.Contains(merged[last], ";") {
				items := append(strings.Split(strings.TrimPrefix(merged[last], reg), ", "), strings.Split(strings.TrimPrefix(l, reg), ", ")...)
				sort.Strings(items)
				merged[last] = reg + strings.Join(items, ", ")
				continue
			}
			merged = append(merged, l)
		}
		lines = append(merged, lines[to:]...)
	}
	return strings.Join(lines, "\n")
}

// A loaded machine's demo registers the two target groups in two lines;
// the transcript must not depend on it (a full run beside a CPU hog failed).
func TestDemoProgressMergesEarlyRegistrations(t *testing.T) {
	head := "<== addresses done in <t>\n==> load balancer\n==> register early\n==> task\n"
	tail := "<== load balancer done in <t>\n<== register early done in <t>\n<== task done in <t>\n==> targets\n"
	one := demoProgress(head + "targets: registered <ip>:8443 in jitsi-web-8443, <ip>:10000 in jitsi-udp-10000\n" + tail)
	two := demoProgress(head + "targets: registered <ip>:8443 in jitsi-web-8443\n<== task done in <t>\ntargets: registered <ip>:10000 in jitsi-udp-10000\n" +
		strings.Replace(tail, "<== task done in <t>\n", "", 1))
	if one != two {
		t.Errorf("one registration line and two give different transcripts:\n%s\n---\n%s", one, two)
	}
	if !strings.Contains(one, "targets: registered <ip>:10000 in jitsi-udp-10000, <ip>:8443 in jitsi-web-8443\n") {
		t.Errorf("merged line missing:\n%s", one)
	}
}
