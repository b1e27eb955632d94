package stage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jitsictl/jitsictl/internal/cost"
	"github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/prcomment"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/session"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// Flow runs the deploy commands on a wired Deployer and publishes what they
// did: the Reporter (summary, outputs, JSON result), the out directory and,
// on a pull request, the sticky plan comment.
type Flow struct {
	Report report.Reporter
	// Run is the workflow run's GitHub context; GitHub builds a client for it
	// (the token masked), the purpose named in its error.
	Run    github.RunContext
	GitHub func(purpose string) (*github.Client, error)
	// Out is the absolute directory for plan files, reviewed.json and summary.md.
	Out string
	// Stack is the stack and AWS account the commands run on.
	Stack Stack
}

// plan plans every stage, publishes the plan and, with comment, keeps the
// pull request's sticky comment (pull request pr, or the run's).
func (f Flow) plan(ctx context.Context, d *Deployer, comment bool, pr int) error {
	head := f.Run.SHA
	d.HeadSHA = head
	planned, err := d.Plan(ctx)
	if err != nil {
		return err
	}
	imagesMD, imagesErr := f.checkImages(ctx, planned)
	if errors.As(imagesErr, new(report.UsageError)) {
		return imagesErr
	}
	doc := PlanComment(planned, f.Run.RunURL(), head)
	md := PlanSummary(doc, len(planned)) + imagesMD
	if imagesErr != nil {
		md += "\n### Image check failed\n\n```\n" + imagesErr.Error() + "\n```\n"
	}
	if err := PublishPlan(f.Report, planned, md, f.Out); err != nil {
		return err
	}
	f.Report.Infof("%s", prcomment.Headline(doc.Stages))
	if comment {
		if err := f.upsertPlanComment(ctx, doc, pr); err != nil {
			return err
		}
	}
	if err := Failed(planned); err != nil {
		f.Report.Errorf("%v", err)
		return report.Failedf("deploy plan: a stage failed to plan or breaks its policy")
	}
	if imagesErr != nil {
		f.Report.Errorf("%v", imagesErr)
		return report.Failedf("deploy plan: the pinned images failed their check")
	}
	return nil
}

// prNumber is the pull request: flag when given, else the run's (event payload or ref).
func (f Flow) prNumber(flag int) (int, error) {
	if flag > 0 {
		return flag, nil
	}
	if n := f.Run.Number; n > 0 {
		return n, nil
	}
	return 0, report.UsageError{Err: errors.New("no pull request number: pass --pr or run on a pull_request event")}
}

func (f Flow) upsertPlanComment(ctx context.Context, doc prcomment.Comment, prFlag int) error {
	if f.Run.Token == "" {
		return report.Usagef("--pr-comment needs GITHUB_TOKEN in the environment (the action's github-token input)")
	}
	if _, err := f.Run.Repo(); err != nil {
		return report.Usagef("--pr-comment needs GITHUB_REPOSITORY=owner/repo")
	}
	pr, err := f.prNumber(prFlag)
	if err != nil {
		return err
	}
	client, err := f.GitHub("pull request comment")
	if err != nil {
		return err
	}
	res, err := github.UpsertComment(ctx, client.Issues, github.CommentTarget{Owner: client.Repo.Owner, Repo: client.Repo.Name, Number: pr, Marker: prcomment.Marker(doc.Key)}, prcomment.Render(doc))
	if err != nil {
		return fmt.Errorf("pull request comment: %w", err)
	}
	switch res.Outcome {
	case github.SummaryOnly:
		f.Report.Warnf("the token may not comment on pull request #%d (%s): the plan is in the job summary only", pr, res.Reason)
	default:
		f.Report.Infof("pull request #%d: comment %s %s", pr, res.Outcome, res.URL)
		f.Report.Output("comment-url", res.URL)
	}
	return nil
}

// Reviewed reads what was reviewed: a reviewed.json, or pr:N for the hashes
// hidden in pull request N's plan comment.
func (f Flow) Reviewed(ctx context.Context, from string) (Reviewed, error) {
	n, ok := strings.CutPrefix(from, "pr:")
	if !ok {
		rev, err := ReadReviewed(from)
		if err != nil {
			return rev, report.UsageError{Err: err}
		}
		return rev, nil
	}
	pr, err := strconv.Atoi(n)
	if err != nil || pr <= 0 {
		return Reviewed{}, report.Usagef("--reviewed %q: use pr:<pull request number>", from)
	}
	hashes, err := f.reviewedFromPR(ctx, pr)
	return Reviewed{Stages: hashes}, err
}

// reviewedFromPR reads the stage hashes hidden in a pull request's plan comment. Only the
// comment carrying the marker and written by the bot counts: anyone can post a comment
// that looks like it.
func (f Flow) reviewedFromPR(ctx context.Context, pr int) (map[string]string, error) {
	if _, err := f.Run.Repo(); f.Run.Token == "" || err != nil {
		return nil, report.Usagef("--reviewed pr:%d needs GITHUB_TOKEN and GITHUB_REPOSITORY=owner/repo", pr)
	}
	client, err := f.GitHub("--reviewed")
	if err != nil {
		return nil, err
	}
	t := github.CommentTarget{Owner: client.Repo.Owner, Repo: client.Repo.Name, Number: pr, Marker: prcomment.Marker("")}
	c, err := github.FindComment(ctx, client.Issues, t)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("pull request #%d has no plan comment by %s: run deploy plan --pr-comment on it first", pr, github.DefaultAuthor)
	}
	h, err := prcomment.ReviewedHashes(c.GetBody())
	if err != nil {
		return nil, fmt.Errorf("plan comment on #%d: %w", pr, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("the plan comment on #%d records no stage hashes (did its plan fail?)", pr)
	}
	f.Report.Infof("reviewed hashes from %s", c.GetHTMLURL())
	return h, nil
}

// apply applies the reviewed stages (Deployer.Apply), copies the images of
// r's stack and publishes the backup, the stages applied and the verdict.
func (f Flow) apply(ctx context.Context, d *Deployer, r *tf.Runner, rev Reviewed) error {
	if sha := f.Run.SHA; rev.HeadSHA != "" && sha != "" && rev.HeadSHA != sha {
		f.Report.Infof("reviewed at %s, applying at %s: the plan hashes decide", rev.HeadSHA, sha)
	}
	res, err := d.Apply(ctx, rev.Stages)
	if err == nil {
		err = f.copyImages(ctx, r)
	}
	if res.Backup.Local != "" {
		abs, _ := filepath.Abs(res.Backup.Local)
		f.Report.Output("backup-path", abs)
	}
	applied := make([]string, len(res.Applied))
	for i, s := range res.Applied {
		applied[i] = s.Label()
	}
	f.Report.Result(struct {
		Backup       Saved    `json:"backup"`
		Applied      []string `json:"applied"`
		FinalChecked bool     `json:"final_plan_empty"`
		Error        string   `json:"error,omitempty"`
	}{res.Backup, applied, res.FinalChecked, errString(err)})
	if err != nil {
		f.Report.Summary("### Deploy failed\n\n```\n" + err.Error() + "\n```\n")
		return err
	}
	f.Report.Summary(fmt.Sprintf("### Deploy applied\n\nStages: %s. State backup (serial %d): `%s`.\n", strings.Join(applied, ", "), res.Backup.Serial, res.Backup.Remote))
	return nil
}

// planRollback plans the configuration of commit (d holds the one rollback
// stage) and publishes it like a deploy plan.
func (f Flow) planRollback(ctx context.Context, d *Deployer, ref, commit string) error {
	f.Report.Infof("planning a rollback to the configuration of %s (%s)", ref, commit)
	planned, err := d.Plan(ctx)
	if err != nil {
		return err
	}
	md := fmt.Sprintf("### Rollback to %s\n\nApply it with the hash below (reviewed.json) after approval.\n\n", commit) +
		PlanSummary(PlanComment(planned, f.Run.RunURL(), commit), 1)
	if err := PublishPlan(f.Report, planned, md, f.Out); err != nil {
		return err
	}
	if err := Failed(planned); err != nil {
		f.Report.Errorf("%v", err)
		return report.Failedf("deploy rollback: the plan failed")
	}
	return nil
}

// applyRollback applies exactly the reviewed rollback plan of commit (r runs it).
func (f Flow) applyRollback(ctx context.Context, d *Deployer, r *tf.Runner, rev Reviewed, ref, commit string) error {
	f.Report.Infof("rolling back to the configuration of %s (%s), as reviewed", ref, commit)
	res, err := d.Apply(ctx, rev.Stages)
	if err == nil {
		err = f.copyImages(ctx, r)
	}
	f.Report.Result(struct {
		Commit       string `json:"commit"`
		Backup       Saved  `json:"backup"`
		FinalChecked bool   `json:"final_plan_empty"`
		Error        string `json:"error,omitempty"`
	}{commit, res.Backup, res.FinalChecked, errString(err)})
	if err != nil {
		return fmt.Errorf("rollback to %s: %w", commit, err)
	}
	f.Report.Summary(fmt.Sprintf("### Rolled back to %s\n\nApplied the reviewed plan; a fresh plan is empty. State backup (serial %d): `%s`.\n", commit, res.Backup.Serial, res.Backup.Remote))
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// RollbackHint names the command that undoes this deploy: the commit before
// it (before is the push event's, JITSICTL_DEPLOY_BEFORE; all zeros or empty
// when there is none).
func RollbackHint(before string) string {
	ref := "HEAD~1"
	if before != "" && strings.Trim(before, "0") != "" {
		ref = before
	}
	return "jitsictl deploy rollback --ref " + ref
}

// NLBWanted reads the session record: while a session is (or may be) live, every
// Terraform run keeps nlb_enabled = true.
func NLBWanted(ctx context.Context, store session.Store, rep report.Reporter) (bool, error) {
	rec, err := store.Load(ctx)
	if err != nil {
		return false, fmt.Errorf("read the session record s3://%s/%s (deploy must know whether a session is live, or it could destroy its NLB): %w", store.Bucket, store.Key, err)
	}
	want := rec.NLBWanted()
	if want {
		rep.Infof("session %s: planning with nlb_enabled = true so the live session's NLB stays", rec.State)
	}
	return want, nil
}

// PlanCostBase is the session shape a plan's cost delta is priced on: the stack's
// defaults (two NLB addresses, a task public IP, five participants). Stored bytes are
// not in a plan, so the idle delta shows what the plan itself changes.
func PlanCostBase() cost.Scenario {
	s, _ := cost.SeedScenario()
	return cost.Scenario{Session: s}
}
