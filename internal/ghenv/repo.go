package ghenv

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/jitsictl/jitsictl/internal/report"
)

// repoName is owner/name as GitHub spells it (the bootstrap's github_repository rule).
var repoName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)

// ParseRepo validates the repository settings the checks need; its errors
// name the flags that set them.
func ParseRepo(repo, env, branch string) (Repo, error) {
	if !repoName.MatchString(repo) {
		return Repo{}, fmt.Errorf("--repo %q: give owner/name, e.g. octo-org/jitsi", repo)
	}
	if strings.TrimSpace(env) == "" || strings.TrimSpace(branch) == "" {
		return Repo{}, errors.New("--environment and --default-branch must not be empty")
	}
	owner, name, _ := strings.Cut(repo, "/")
	return Repo{Owner: owner, Name: name, Environment: env, DefaultBranch: branch}, nil
}

// Report shows what Ensure or Check found: one line when all is right, an
// error per wrong setting otherwise. It returns how many are wrong.
func Report(r report.Reporter, repo Repo, found []Finding) int {
	if len(found) == 0 {
		r.Infof("%s: environment %s needs a reviewer and admits %s only; OIDC subject is GitHub's default", repo.path(), repo.Environment, repo.DefaultBranch)
	}
	for _, f := range found {
		r.Errorf("%s", f.Problem)
	}
	return len(found)
}

// Checker is Check with a client made only when it runs (doctor's GitHub row).
func Checker(client func() (*github.Client, error), r Repo) func(context.Context) ([]Finding, error) {
	return func(ctx context.Context) ([]Finding, error) {
		c, err := client()
		if err != nil {
			return nil, err
		}
		return Check(ctx, c, r)
	}
}
