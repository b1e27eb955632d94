package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Repository settings the deploy role's trust relies on: deployment environments (with
// required reviewers and branch policies) and the OIDC subject template, plus the user
// lookup that turns a reviewer's login into the id GitHub wants. Writing them needs an
// Admin token, as on GitHub (a workflow's GITHUB_TOKEN may not).

// Admin may also change repository settings.
const Admin Permission = ReadWrite + 1

type environment struct {
	id                  int64
	reviewers           []int64 // user ids
	protected, custom   bool
	branchPolicySet     bool
	policies            []branchPolicy
	createdAt, updateAt time.Time
}

type branchPolicy struct {
	id         int64
	name, kind string
}

type settings struct {
	envs    map[string]*environment // owner/repo/name
	oidcSub map[string][]string     // owner/repo -> include_claim_keys; absent: default
	users   map[string]int64        // login -> id
}

var settingsOps = []operation{
	{"GET", "/repos/{owner}/{repo}/environments/{environment_name}"},
	{"PUT", "/repos/{owner}/{repo}/environments/{environment_name}"},
	{"GET", "/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies"},
	{"POST", "/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies"},
	{"GET", "/repos/{owner}/{repo}/actions/oidc/customization/sub"},
	{"PUT", "/repos/{owner}/{repo}/actions/oidc/customization/sub"},
	{"GET", "/users/{username}"},
}

func init() {
	served = append(served, settingsOps...)
	for k, v := range map[string]string{
		// GitHub answers 404 for an environment (or its policies) that does not exist and
		// 403 to a token without admin rights; the description lists neither.
		"GET /repos/{owner}/{repo}/environments/{environment_name} 404":                             "basic-error",
		"GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies 404":  "basic-error",
		"PUT /repos/{owner}/{repo}/environments/{environment_name} 403":                             "basic-error",
		"POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies 403": "basic-error",
		"PUT /repos/{owner}/{repo}/actions/oidc/customization/sub 403":                              "basic-error",
	} {
		undocumented[k] = v
	}
}

func (s *Server) settingsState() *settings {
	if s.settings == nil {
		s.settings = &settings{envs: map[string]*environment{}, oidcSub: map[string][]string{}, users: map[string]int64{}}
	}
	return s.settings
}

// AddUser makes a login known to GET /users/{username}; it returns the user's id.
func (s *Server) AddUser(login string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := userID(login)
	s.settingsState().users[login] = id
	return id
}

// CustomizeOIDCSubject sets a repository's subject template as an administrator would
// (keys nil: back to GitHub's default).
func (s *Server) CustomizeOIDCSubject(owner, repo string, keys []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.settingsState()
	if keys == nil {
		delete(st.oidcSub, owner+"/"+repo)
		return
	}
	st.oidcSub[owner+"/"+repo] = keys
}

func userID(login string) int64 { return int64(len(login))*7919 + 41 }

// handleSettings serves settingsOps; ok is false for any other operation.
func (s *Server) handleSettings(op string, p map[string]string, who token, body []byte) (reply, bool) {
	owner, repo, name := p["owner"], p["repo"], p["environment_name"]
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.settingsState()
	key := owner + "/" + repo + "/" + name
	env := st.envs[key]
	write := func() (reply, bool) {
		return errorReply(http.StatusForbidden, "Resource not accessible by integration"), who.perm < Admin
	}
	switch op {
	case "GET /repos/{owner}/{repo}/environments/{environment_name}":
		if env == nil {
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		return reply{status: http.StatusOK, body: s.renderEnv(owner, repo, name, env)}, true
	case "PUT /repos/{owner}/{repo}/environments/{environment_name}":
		if r, denied := write(); denied {
			return r, true
		}
		var in struct {
			Reviewers []struct {
				Type string `json:"type"`
				ID   int64  `json:"id"`
			} `json:"reviewers"`
			Policy *struct {
				Protected bool `json:"protected_branches"`
				Custom    bool `json:"custom_branch_policies"`
			} `json:"deployment_branch_policy"`
		}
		_ = json.Unmarshal(body, &in) // shape already validated against the description
		if in.Policy != nil && in.Policy.Protected == in.Policy.Custom {
			return errorReply(http.StatusUnprocessableEntity, "Validation Failed"), true
		}
		s.clock = s.clock.Add(time.Minute)
		if env == nil {
			s.nextID++
			env = &environment{id: s.nextID, createdAt: s.clock}
			st.envs[key] = env
		}
		env.updateAt = s.clock
		env.reviewers = nil
		for _, r := range in.Reviewers {
			env.reviewers = append(env.reviewers, r.ID)
		}
		env.branchPolicySet = in.Policy != nil
		if in.Policy != nil {
			env.protected, env.custom = in.Policy.Protected, in.Policy.Custom
		} else {
			env.protected, env.custom, env.policies = false, false, nil
		}
		return reply{status: http.StatusOK, body: s.renderEnv(owner, repo, name, env)}, true
	case "GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies":
		if env == nil {
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		items := []any{}
		for _, bp := range env.policies {
			items = append(items, renderPolicy(bp))
		}
		return reply{status: http.StatusOK, body: map[string]any{"total_count": len(items), "branch_policies": items}}, true
	case "POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies":
		if r, denied := write(); denied {
			return r, true
		}
		if env == nil || !env.custom {
			// GitHub refuses policies unless the environment uses custom branch policies.
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		var in struct{ Name, Type string }
		_ = json.Unmarshal(body, &in)
		if in.Type == "" {
			in.Type = "branch"
		}
		s.nextID++
		bp := branchPolicy{id: s.nextID, name: in.Name, kind: in.Type}
		env.policies = append(env.policies, bp)
		return reply{status: http.StatusOK, body: renderPolicy(bp)}, true
	case "GET /repos/{owner}/{repo}/actions/oidc/customization/sub":
		keys, custom := st.oidcSub[owner+"/"+repo]
		out := map[string]any{"use_default": !custom}
		if custom {
			out["include_claim_keys"] = keys
		}
		return reply{status: http.StatusOK, body: out}, true
	case "PUT /repos/{owner}/{repo}/actions/oidc/customization/sub":
		if r, denied := write(); denied {
			return r, true
		}
		var in struct {
			UseDefault bool     `json:"use_default"`
			Keys       []string `json:"include_claim_keys"`
		}
		_ = json.Unmarshal(body, &in)
		if in.UseDefault {
			delete(st.oidcSub, owner+"/"+repo)
		} else {
			st.oidcSub[owner+"/"+repo] = in.Keys
		}
		return reply{status: http.StatusCreated, body: map[string]any{}}, true
	case "GET /users/{username}":
		id, ok := st.users[p["username"]]
		if !ok {
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		u := s.renderUser(p["username"])
		u["id"] = id
		for k, v := range map[string]any{
			"user_view_type": "public", "name": nil, "company": nil, "blog": "", "location": nil, "email": nil,
			"hireable": nil, "bio": nil, "public_repos": 1, "public_gists": 0, "followers": 0, "following": 0,
			"created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
		} {
			u[k] = v
		}
		return reply{status: http.StatusOK, body: u}, true
	}
	return reply{}, false
}

func renderPolicy(bp branchPolicy) map[string]any {
	return map[string]any{"id": bp.id, "node_id": "DBP_" + strconv.FormatInt(bp.id, 36), "name": bp.name, "type": bp.kind}
}

// renderEnv is the environment object GitHub returns; callers hold s.mu.
func (s *Server) renderEnv(owner, repo, name string, e *environment) map[string]any {
	rules := []any{}
	if len(e.reviewers) > 0 {
		var reviewers []any
		for _, id := range e.reviewers {
			login := ""
			for l, uid := range s.settingsState().users {
				if uid == id {
					login = l
				}
			}
			u := s.renderUser(login)
			u["id"] = id
			reviewers = append(reviewers, map[string]any{"type": "User", "reviewer": u})
		}
		rules = append(rules, map[string]any{"id": e.id*10 + 1, "node_id": fmt.Sprintf("GA_%d", e.id*10+1), "type": "required_reviewers", "prevent_self_review": false, "reviewers": reviewers})
	}
	if e.branchPolicySet {
		rules = append(rules, map[string]any{"id": e.id*10 + 2, "node_id": fmt.Sprintf("GA_%d", e.id*10+2), "type": "branch_policy"})
	}
	out := map[string]any{
		"id":               e.id,
		"node_id":          "EN_" + strconv.FormatInt(e.id, 36),
		"name":             name,
		"url":              fmt.Sprintf("%s/repos/%s/%s/environments/%s", s.URL, owner, repo, url.PathEscape(name)),
		"html_url":         fmt.Sprintf("https://github.com/%s/%s/deployments/activity_log?environments_filter=%s", owner, repo, url.QueryEscape(name)),
		"created_at":       e.createdAt.Format(time.RFC3339),
		"updated_at":       e.updateAt.Format(time.RFC3339),
		"protection_rules": rules,
	}
	if e.branchPolicySet {
		out["deployment_branch_policy"] = map[string]any{"protected_branches": e.protected, "custom_branch_policies": e.custom}
	} else {
		out["deployment_branch_policy"] = nil
	}
	return out
}
