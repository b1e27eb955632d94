package ghenv

import (
	"context"
	"regexp"
	"strings"

	"github.com/google/go-github/v66/github"

	jgithub "github.com/jitsictl/jitsictl/internal/github"
	"github.com/jitsictl/jitsictl/internal/report"
)

// repoName is owner/name as GitHub spells it (the bootstrap's github_repository rule).
var repoName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)

// ParseRepo validates the repository settings the checks need; its errors
// are bad input (report.UsageError) naming the flags that set them.
func ParseRepo(repo, env, branch string) (Repo, error) {
	if !repoName.MatchString(repo) {
		return Repo{}, report.Usagef("--repo %q: give owner/name, e.g. octo-org/jitsi", repo)
	}
	if strings.TrimSpace(env) == "" || strings.TrimSpace(branch) == "" {
		return Repo{}, report.Usagef("--environment and --default-branch must not be empty")
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

// Checker is Check of repo (see ParseRepo) with a client made only when it
// runs (doctor's GitHub row); nil when no repository is named.
func Checker(client func() (*github.Client, error), repo, env, branch string) (func(context.Context) ([]Finding, error), error) {
	if repo == "" {
		return nil, nil
	}
	r, err := ParseRepo(repo, env, branch)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) ([]Finding, error) {
		c, err := client()
		if err != nil {
			return nil, err
		}
		return Check(ctx, c, r)
	}, nil
}

// AdminClient is a client with token, which must have admin rights on the
// repository; without one it is bad input. mask hides the token in the log
// before any use.
func AdminClient(token, apiURL string, mask func(string)) (*github.Client, error) {
	if token == "" {
		return nil, report.Usagef("GITHUB_TOKEN is empty: export a token with admin rights on the repository (GITHUB_TOKEN=$(gh auth token))")
	}
	mask(token)
	return jgithub.NewClient(token, apiURL)
}
