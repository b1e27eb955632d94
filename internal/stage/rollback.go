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

	"github.com/jitsictl/jitsictl/internal/plan"
	"github.com/jitsictl/jitsictl/internal/report"
	"github.com/jitsictl/jitsictl/internal/tf"
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

// Converge applies a configuration in full against the current state and proves it
// converged: a saved plan is shown, applied, and a fresh plan must have no changes.
// Rollback uses it with an older commit's configuration; no stage policy applies, since
// going back may have to delete what the failed deploy created.
func Converge(ctx context.Context, t Terraform, vars tf.Vars, dir string, r report.Reporter) (plan.Summary, error) {
	file := filepath.Join(dir, "rollback.tfplan")
	r.Begin("plan rollback")
	_, err := t.Plan(ctx, vars, nil, file)
	var s plan.Summary
	if err == nil {
		var p, perr = t.ShowPlan(ctx, file)
		err = perr
		s = plan.Summarize(p)
	}
	r.End("plan rollback", err)
	if err != nil {
		return s, err
	}
	if s.HasChanges() {
		r.Begin("apply rollback")
		err = t.ApplyPlan(ctx, file)
		r.End("apply rollback", err)
		if err != nil {
			return s, fmt.Errorf("terraform apply: %w", err)
		}
	}
	r.Begin("check rollback converged")
	changed, err := t.Plan(ctx, vars, nil, "")
	if err == nil && changed {
		err = errors.New("a plan after the rollback still has changes")
	}
	r.End("check rollback converged", err)
	return s, err
}
