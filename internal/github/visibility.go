package github

import (
	"encoding/json"
	"os"
)

// Visibility is who can read a repository's Actions logs and job summaries.
type Visibility string

const (
	Private Visibility = "private" // members only (private and internal repositories)
	Public  Visibility = "public"  // anyone on the internet
)

// RepoVisibility reads the repository's visibility from the event payload a
// workflow run gets (GITHUB_EVENT_PATH). Anything it cannot establish, a
// missing or unreadable file, a payload without a repository, counts as
// public: a bearer link shown to the world by mistake cannot be taken back.
func RepoVisibility(eventPath string) Visibility {
	if eventPath == "" {
		return Public
	}
	b, err := os.ReadFile(eventPath)
	if err != nil {
		return Public
	}
	var ev struct {
		Repository *struct {
			Private    *bool  `json:"private"`
			Visibility string `json:"visibility"`
		} `json:"repository"`
	}
	if json.Unmarshal(b, &ev) != nil || ev.Repository == nil {
		return Public
	}
	r := ev.Repository
	switch r.Visibility {
	case "public":
		return Public
	case "private", "internal":
		return Private
	}
	if r.Private != nil && *r.Private {
		return Private
	}
	return Public
}

// RunVisibility says whether this process runs in GitHub Actions and, if so,
// who can read its logs and summaries (from the run's event payload).
func RunVisibility(getenv func(string) string) (inActions bool, v Visibility) {
	if getenv("GITHUB_ACTIONS") != "true" {
		return false, Private
	}
	return true, RepoVisibility(getenv("GITHUB_EVENT_PATH"))
}
