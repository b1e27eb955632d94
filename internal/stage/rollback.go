package stage

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jitsictl/jitsictl/internal/report"
)

// ExtractRef writes the Terraform configuration that stackDir held at git ref into dst
// and returns the resolved commit and the extracted stack directory. Only committed files
// are used: the working tree is never touched.
func ExtractRef(ctx context.Context, stackDir, ref, dst string) (commit, dir string, err error) {
	top, err := git(ctx, stackDir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", fmt.Errorf("rollback needs the stack inside a git checkout: %w", err)
	}
	prefix, err := git(ctx, stackDir, "rev-parse", "--show-prefix")
	if err != nil {
		return "", "", err
	}
	commit, err = git(ctx, top, "rev-parse", "--verify", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("git ref %q: %w (in a shallow clone, fetch with fetch-depth: 2 or more)", ref, err)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", top, "archive", "--format=tar", commit, "--", strings.TrimSuffix(prefix, "/"))
	if prefix == "" {
		cmd = exec.CommandContext(ctx, "git", "-C", top, "archive", "--format=tar", commit)
	}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("git archive %s: %v: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	if err := untar(&out, dst); err != nil {
		return "", "", err
	}
	dir = filepath.Join(dst, filepath.FromSlash(prefix))
	tfs, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if len(tfs) == 0 {
		return "", "", fmt.Errorf("commit %s has no Terraform files in %s", commit[:12], prefix)
	}
	return commit, dir, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func untar(r io.Reader, dst string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("git archive entry %q leaves the target", h.Name)
		}
		target := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(target, b, 0o644); err != nil {
				return err
			}
		}
	}
}

// OnDefaultBranch refuses a commit that is not an ancestor of (or equal to) the default
// branch: a rollback re-applies reviewed history, never a fetched but unmerged branch.
// It looks at the remote-tracking branch first (what the default branch is on GitHub),
// then at the local one.
func OnDefaultBranch(ctx context.Context, stackDir, commit, branch string) error {
	if branch == "" || strings.HasPrefix(branch, "-") {
		return fmt.Errorf("default branch %q is not a branch name", branch)
	}
	var tip string
	for _, ref := range []string{"refs/remotes/origin/" + branch, "refs/heads/" + branch} {
		if _, err := git(ctx, stackDir, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err == nil {
			tip = ref
			break
		}
	}
	if tip == "" {
		return fmt.Errorf("the default branch %s is not in this checkout (fetch it: actions/checkout with fetch-depth: 0)", branch)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", stackDir, "merge-base", "--is-ancestor", commit, tip)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return fmt.Errorf("commit %s is not on %s (%s): a rollback may only return to a commit the default branch already contains", commit, branch, tip)
	default:
		return fmt.Errorf("git merge-base --is-ancestor %s %s: %v: %s", commit, tip, err, strings.TrimSpace(stderr.String()))
	}
}

// RollbackStage is the one stage a rollback plans and applies: the old commit's whole
// configuration, which may have to delete what the deploy after it created.
var RollbackStage = Numbered{N: 1, Last: true, Stage: Stage{Name: "rollback", Allow: []string{"create", "update", "replace", "delete"}}}

// RollbackSource checks a rollback's input with git only, before any AWS
// call, and extracts the configuration of ref (checked by ValidRef) into dst: ref must name a
// commit on the default branch, and a reviewed plan (reviewedFile, "" for
// none) must be that commit's. Its errors are bad input (report.UsageError).
func RollbackSource(ctx context.Context, stackDir, ref, branch, reviewedFile, dst string) (commit, dir string, rev Reviewed, err error) {
	usage := func(err error) (string, string, Reviewed, error) {
		return "", "", Reviewed{}, report.UsageError{Err: err}
	}
	if reviewedFile != "" {
		if rev, err = ReadReviewed(reviewedFile); err != nil {
			return usage(err)
		}
	}
	if commit, dir, err = ExtractRef(ctx, stackDir, ref, dst); err != nil {
		return usage(err)
	}
	if err := OnDefaultBranch(ctx, stackDir, commit, branch); err != nil {
		return usage(err)
	}
	if reviewedFile != "" && rev.HeadSHA != commit {
		return usage(fmt.Errorf("--reviewed %s is the plan of commit %q, not of %s (%s): plan this rollback first", reviewedFile, rev.HeadSHA, ref, commit))
	}
	return commit, dir, rev, nil
}

// ValidRef refuses a --ref that is empty or could pose as an option of git.
func ValidRef(ref string) error {
	if strings.TrimSpace(ref) == "" || strings.HasPrefix(ref, "-") {
		return report.Usagef("--ref %q is not a git ref", ref)
	}
	return nil
}
