package fakegithub

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Workflow states as GitHub reports them.
const (
	WorkflowActive   = "active"
	WorkflowDisabled = "disabled_manually"
)

// workflow is one workflow file of a repository and its completed runs.
type workflow struct {
	id    int64
	state string
	runs  []workflowRun
}

type workflowRun struct {
	id             int64
	started, ended time.Time
	event, headSHA string
	conclusion     string
	number         int
}

func workflowKey(owner, repo, file string) string { return owner + "/" + repo + "/" + file }

// AddWorkflow registers a workflow file (e.g. "scale-down.yml") of a repository in
// the given state (WorkflowActive or WorkflowDisabled). Enabling or disabling one that
// was never added answers 404, as GitHub does for a file that is not a workflow.
func (s *Server) AddWorkflow(owner, repo, file, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workflows == nil {
		s.workflows = map[string]*workflow{}
	}
	s.nextID++
	s.workflows[workflowKey(owner, repo, file)] = &workflow{id: s.nextID, state: state}
}

// WorkflowState is the workflow's state ("" for one never added).
func (s *Server) WorkflowState(owner, repo, file string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.workflows[workflowKey(owner, repo, file)]; w != nil {
		return w.state
	}
	return ""
}

// AddRun records a completed run of an added workflow that ran from started to ended.
func (s *Server) AddRun(owner, repo, file string, started, ended time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workflows[workflowKey(owner, repo, file)]
	if w == nil {
		s.tb.Fatalf("fakegithub: AddRun on workflow %s that was never added", workflowKey(owner, repo, file))
	}
	s.nextID++
	w.runs = append(w.runs, workflowRun{id: s.nextID, started: started, ended: ended, event: "schedule",
		headSHA: strings.Repeat("a", 40), conclusion: "success", number: len(w.runs) + 1})
}

// handleWorkflow serves the workflow operations; ok is false for any other operation.
func (s *Server) handleWorkflow(op string, p map[string]string, r *http.Request, who token) (reply, bool) {
	owner, repo, file := p["owner"], p["repo"], p["workflow_id"]
	switch op {
	case "PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable",
		"PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable":
		if who.perm != ReadWrite {
			return errorReply(http.StatusForbidden, "Resource not accessible by integration"), true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		w := s.workflows[workflowKey(owner, repo, file)]
		if w == nil {
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		w.state = WorkflowActive
		if strings.HasSuffix(op, "/disable") {
			w.state = WorkflowDisabled
		}
		return reply{status: http.StatusNoContent}, true
	case "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs":
		s.mu.Lock()
		defer s.mu.Unlock()
		w := s.workflows[workflowKey(owner, repo, file)]
		if w == nil {
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		perPage := 30
		if v := r.URL.Query().Get("per_page"); v != "" {
			perPage, _ = strconv.Atoi(v)
		}
		perPage = min(max(perPage, 1), 100)
		runs := []any{}
		// Newest first, as GitHub lists them; every stored run is completed.
		for i := len(w.runs) - 1; i >= 0 && len(runs) < perPage; i-- {
			runs = append(runs, s.renderRun(owner, repo, file, w, w.runs[i]))
		}
		return reply{status: http.StatusOK, body: map[string]any{"total_count": len(w.runs), "workflow_runs": runs}}, true
	}
	return reply{}, false
}

// renderRun is the workflow-run object GitHub returns; callers hold s.mu.
func (s *Server) renderRun(owner, repo, file string, w *workflow, run workflowRun) map[string]any {
	repoAPI := fmt.Sprintf("%s/repos/%s/%s", s.URL, owner, repo)
	runURL := fmt.Sprintf("%s/actions/runs/%d", repoAPI, run.id)
	r := s.renderRepo(owner, repo)
	return map[string]any{
		"id":              run.id,
		"node_id":         "WFR_" + strconv.FormatInt(run.id, 36),
		"name":            strings.TrimSuffix(file, ".yml"),
		"head_branch":     "main",
		"head_sha":        run.headSHA,
		"path":            ".github/workflows/" + file,
		"display_title":   strings.TrimSuffix(file, ".yml"),
		"run_number":      run.number,
		"run_attempt":     1,
		"event":           run.event,
		"status":          "completed",
		"conclusion":      run.conclusion,
		"workflow_id":     w.id,
		"url":             runURL,
		"html_url":        fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d", owner, repo, run.id),
		"pull_requests":   []any{},
		"created_at":      run.started.UTC().Format(time.RFC3339),
		"run_started_at":  run.started.UTC().Format(time.RFC3339),
		"updated_at":      run.ended.UTC().Format(time.RFC3339),
		"jobs_url":        runURL + "/jobs",
		"logs_url":        runURL + "/logs",
		"check_suite_url": fmt.Sprintf("%s/check-suites/%d", repoAPI, run.id),
		"cancel_url":      runURL + "/cancel",
		"rerun_url":       runURL + "/rerun",
		"artifacts_url":   runURL + "/artifacts",
		"workflow_url":    fmt.Sprintf("%s/actions/workflows/%d", repoAPI, w.id),
		"head_commit":     nil,
		"repository":      r,
		"head_repository": r,
	}
}

// repoURLs are minimal-repository's URL fields: "{base}/repos/o/r" plus the suffix.
var repoURLs = map[string]string{
	"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
	"branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
	"comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
	"contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
	"downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks", "git_commits_url": "/git/commits{/sha}",
	"git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks",
	"issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
	"issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
	"languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
	"notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
	"releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
	"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
	"teams_url": "/teams", "trees_url": "/git/trees{/sha}", "url": "",
}

// renderRepo is the minimal-repository object; callers hold s.mu.
func (s *Server) renderRepo(owner, repo string) map[string]any {
	base := fmt.Sprintf("%s/repos/%s/%s", s.URL, url.PathEscape(owner), url.PathEscape(repo))
	id := int64(len(owner)*131 + len(repo))
	r := map[string]any{
		"id":          id,
		"node_id":     "R_" + strconv.FormatInt(id, 36),
		"name":        repo,
		"full_name":   owner + "/" + repo,
		"owner":       s.renderUser(owner),
		"private":     true,
		"html_url":    "https://github.com/" + owner + "/" + repo,
		"description": nil,
		"fork":        false,
	}
	for k, suffix := range repoURLs {
		r[k] = base + suffix
	}
	return r
}
