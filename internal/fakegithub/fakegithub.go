// Package fakegithub is a stateful stand-in for the few GitHub REST endpoints jitsictl uses
// (issue comments; enabling, disabling and listing the runs of a workflow; releases and their
// assets for the release workflow), served on loopback. Every request and every response is validated
// against the operation in GitHub's published OpenAPI description (@octokit/openapi), so
// the fake cannot drift from the real contract unnoticed: a request the description does
// not allow, or a response it does not describe, is a test failure.
package fakegithub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Permission is what a token may do to issues and pull requests.
type Permission int

const (
	// ReadOnly is a fork pull request's GITHUB_TOKEN: reads work, writes get 403.
	ReadOnly Permission = iota
	// ReadWrite may create and edit comments.
	ReadWrite
)

// Comment is a stored issue comment.
type Comment struct {
	ID        int64
	Owner     string
	Repo      string
	Issue     int
	Author    string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

type token struct {
	login string
	perm  Permission
}

// Server is a running fake. Use New; URL is the API base URL (what GITHUB_API_URL holds).
type Server struct {
	URL string

	tb     testing.TB
	srv    *httptest.Server
	router routers.Router
	spec   *spec

	mu         sync.Mutex
	tokens     map[string]token
	comments   []*Comment
	workflows  map[string]*workflow // by owner/repo/file
	releases   []*Release
	nextID     int64
	clock      time.Time
	violations []string
	requests   []string
	settings   *settings // settings.go

	// mutateResponse lets the package's own tests break a response on purpose.
	mutateResponse func(op string, body any) any
}

// Option configures New.
type Option func(*options)

type options struct{ basePath string }

// WithBasePath serves the API under a path prefix, as GitHub Enterprise Server does
// ("/api/v3"); URL then includes it.
func WithBasePath(p string) Option {
	return func(o *options) { o.basePath = "/" + strings.Trim(p, "/") }
}

// New starts a fake on loopback and stops it when the test ends. At the end of the test
// every contract violation that was not taken with TakeViolations fails the test. A
// missing OpenAPI description fails the test with the install command.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sp, err := loadSpec()
	if err != nil {
		tb.Fatalf("fakegithub: %v", err)
	}
	s := &Server{
		tb:     tb,
		spec:   sp,
		tokens: map[string]token{},
		nextID: 1000,
		clock:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + o.basePath
	// A per-server copy: the router matches the server URL, the pruned doc is shared.
	doc := *sp.doc
	doc.Servers = openapi3.Servers{{URL: s.URL}}
	if s.router, err = gorillamux.NewRouter(&doc); err != nil { // matches the base path too
		tb.Fatalf("fakegithub: router: %v", err)
	}
	tb.Cleanup(func() {
		s.srv.Close()
		for _, v := range s.TakeViolations() {
			tb.Errorf("fakegithub: contract violation: %s", v)
		}
	})
	return s
}

// AddToken registers a token for a user or app login (e.g. "github-actions[bot]").
func (s *Server) AddToken(tok, login string, perm Permission) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = token{login: login, perm: perm}
}

// Seed stores a comment as if login had written it and returns its id.
func (s *Server) Seed(owner, repo string, issue int, login, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(owner, repo, issue, login, body).ID
}

// Comments returns copies of one issue's comments in creation order.
func (s *Server) Comments(owner, repo string, issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Owner == owner && c.Repo == repo && c.Issue == issue {
			out = append(out, *c)
		}
	}
	return out
}

// Requests returns "METHOD path?query" for every request served, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// TakeViolations returns and clears the recorded contract violations.
func (s *Server) TakeViolations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

func (s *Server) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

func (s *Server) add(owner, repo string, issue int, login, body string) *Comment {
	s.nextID++
	s.clock = s.clock.Add(time.Minute)
	c := &Comment{ID: s.nextID, Owner: owner, Repo: repo, Issue: issue, Author: login, Body: body, CreatedAt: s.clock, UpdatedAt: s.clock}
	s.comments = append(s.comments, c)
	return c
}

type reply struct {
	status int
	header http.Header
	body   any
}

func errorReply(status int, msg string) reply {
	return reply{status: status, body: map[string]any{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest",
		"status":            strconv.Itoa(status),
	}}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s.serveDownload(w, r) {
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()

	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := s.router.FindRoute(r)
	if err != nil {
		p := strings.TrimPrefix(r.URL.Path, strings.TrimPrefix(s.URL, s.srv.URL))
		if s.spec.all[r.Method+" "+templateOf(s.spec.all, r.Method, p)] {
			s.violate("%s %s is in GitHub's description but the fake does not serve it", r.Method, r.URL.Path)
		} else {
			s.violate("%s %s matches no operation in GitHub's description", r.Method, r.URL.Path)
		}
		s.write(w, nil, errorReply(http.StatusNotFound, "Not Found"))
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc,
			RejectWhenRequestBodyNotSpecified: true,
			MultiError:                        true,
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		s.violate("request %s %s does not match GitHub's description: %v", r.Method, r.URL.Path, err)
		// The request is already a failure; its error reply is not checked.
		s.write(w, nil, errorReply(http.StatusUnprocessableEntity, "Validation Failed"))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rep := s.handle(route.Method+" "+route.Path, params, r, body)
	s.write(w, in, rep)
}

// templateOf finds the spec template of a concrete path, for error messages only.
func templateOf(all map[string]bool, method, path string) string {
	segs := strings.Split(path, "/")
	for k := range all {
		m, tmpl, _ := strings.Cut(k, " ")
		if m != method {
			continue
		}
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		match := true
		for i := range ts {
			if !strings.HasPrefix(ts[i], "{") && ts[i] != segs[i] {
				match = false
				break
			}
		}
		if match {
			return tmpl
		}
	}
	return path
}

// undocumented lists answers GitHub really gives that its description omits. Each is
// still checked: its body must be a documented basic-error.
var undocumented = map[string]string{
	// A read-only token (fork pull request) editing a comment: GitHub answers 403
	// "Resource not accessible by integration"; the description lists only 200 and 422.
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} 403": "basic-error",
	// Editing a comment that does not exist (or was deleted meanwhile).
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} 404": "basic-error",
	// A token without `actions: write`, or a file that is not a workflow: the
	// description lists only 204.
	"PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable 403":  "basic-error",
	"PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable 404":  "basic-error",
	"PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable 403": "basic-error",
	"PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable 404": "basic-error",
	"GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs 404":    "basic-error",
	// A token without contents: write creating a release or uploading to one.
	"POST /repos/{owner}/{repo}/releases 403":                     "basic-error",
	"POST /repos/{owner}/{repo}/releases/{release_id}/assets 403": "basic-error",
	// Uploading to a release that does not exist.
	"POST /repos/{owner}/{repo}/releases/{release_id}/assets 404": "basic-error",
}

// write encodes the reply and validates it against the operation's documented responses.
func (s *Server) write(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, rep reply) {
	if s.mutateResponse != nil && in != nil {
		rep.body = s.mutateResponse(in.Route.Method+" "+in.Route.Path, rep.body)
	}
	b, err := json.Marshal(rep.body)
	if err != nil {
		s.violate("fake produced unencodable body: %v", err)
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	if rep.status == http.StatusNoContent {
		b = nil // 204 has no body
	} else {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	if in != nil {
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in,
			Status:                 rep.status,
			Header:                 h,
			Body:                   io.NopCloser(bytes.NewReader(b)),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		key := fmt.Sprintf("%s %s %d", in.Route.Method, in.Route.Path, rep.status)
		if schema, ok := undocumented[key]; ok {
			s.checkUndocumented(key, schema, b)
		} else if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			s.violate("response %d to %s %s does not match GitHub's description: %v", rep.status, in.Route.Method, in.Route.Path, err)
		}
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(b)
}

func (s *Server) checkUndocumented(key, schema string, body []byte) {
	ref := s.spec.doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		s.violate("%s: schema %q is not in the description", key, schema)
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		s.violate("%s: body is not JSON: %v", key, err)
		return
	}
	if err := ref.Value.VisitJSON(v); err != nil {
		s.violate("%s: body does not match %s: %v", key, schema, err)
	}
}

func (s *Server) caller(r *http.Request) (token, bool) {
	auth := r.Header.Get("Authorization")
	tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "token "))
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	return t, ok && auth != ""
}

func (s *Server) handle(op string, p map[string]string, r *http.Request, body []byte) reply {
	if rep, ok := s.handleRelease(op, p, r, body); ok {
		return rep
	}
	who, ok := s.caller(r)
	if !ok {
		// GitHub answers 404, not 401, for repositories the caller cannot see.
		return errorReply(http.StatusNotFound, "Not Found")
	}
	if rep, ok := s.handleWorkflow(op, p, r, who); ok {
		return rep
	}
	owner, repo := p["owner"], p["repo"]
	if rep, ok := s.handleSettings(op, p, who, body); ok {
		return rep
	}
	switch op {
	case "GET /repos/{owner}/{repo}/issues/{issue_number}/comments":
		issue, _ := strconv.Atoi(p["issue_number"])
		return s.list(r, owner, repo, issue)
	case "POST /repos/{owner}/{repo}/issues/{issue_number}/comments":
		if who.perm != ReadWrite {
			return errorReply(http.StatusForbidden, "Resource not accessible by integration")
		}
		var in struct{ Body string }
		_ = json.Unmarshal(body, &in) // shape already validated against the description
		issue, _ := strconv.Atoi(p["issue_number"])
		s.mu.Lock()
		c := s.add(owner, repo, issue, who.login, in.Body)
		out := s.render(c)
		s.mu.Unlock()
		return reply{status: http.StatusCreated, header: http.Header{"Location": {out["url"].(string)}}, body: out}
	case "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}":
		id, _ := strconv.ParseInt(p["comment_id"], 10, 64)
		var in struct{ Body string }
		_ = json.Unmarshal(body, &in)
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.comments {
			if c.ID == id && c.Owner == owner && c.Repo == repo {
				// Like GitHub, a token with write access may edit anyone's comment: only
				// the caller's author check keeps it off other people's comments.
				if who.perm != ReadWrite {
					return errorReply(http.StatusForbidden, "Resource not accessible by integration")
				}
				s.clock = s.clock.Add(time.Minute)
				c.Body, c.UpdatedAt = in.Body, s.clock
				return reply{status: http.StatusOK, body: s.render(c)}
			}
		}
		return errorReply(http.StatusNotFound, "Not Found")
	}
	return errorReply(http.StatusNotFound, "Not Found")
}

func (s *Server) list(r *http.Request, owner, repo string, issue int) reply {
	q := r.URL.Query()
	perPage, page := 30, 1
	if v := q.Get("per_page"); v != "" {
		perPage, _ = strconv.Atoi(v)
	}
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	perPage = min(max(perPage, 1), 100)
	page = max(page, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*Comment
	for _, c := range s.comments {
		if c.Owner == owner && c.Repo == repo && c.Issue == issue {
			all = append(all, c)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	last := max((len(all)+perPage-1)/perPage, 1)
	items := []any{}
	for i := (page - 1) * perPage; i < len(all) && i < page*perPage; i++ {
		items = append(items, s.render(all[i]))
	}
	h := http.Header{}
	if last > 1 {
		link := func(n int, rel string) string {
			u := *r.URL
			u.Scheme, u.Host = "http", r.Host
			v := u.Query()
			v.Set("page", strconv.Itoa(n))
			v.Set("per_page", strconv.Itoa(perPage))
			u.RawQuery = v.Encode()
			return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
		}
		var links []string
		if page < last {
			links = append(links, link(page+1, "next"), link(last, "last"))
		}
		if page > 1 {
			links = append(links, link(1, "first"), link(page-1, "prev"))
		}
		h.Set("Link", strings.Join(links, ", "))
	}
	return reply{status: http.StatusOK, header: h, body: items}
}

// render is the issue-comment object GitHub returns; callers hold s.mu.
func (s *Server) render(c *Comment) map[string]any {
	base := s.URL
	user := s.renderUser(c.Author)
	repoURL := fmt.Sprintf("%s/repos/%s/%s", base, c.Owner, c.Repo)
	return map[string]any{
		"id":                 c.ID,
		"node_id":            "IC_" + strconv.FormatInt(c.ID, 36),
		"url":                fmt.Sprintf("%s/issues/comments/%d", repoURL, c.ID),
		"html_url":           fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", c.Owner, c.Repo, c.Issue, c.ID),
		"issue_url":          fmt.Sprintf("%s/issues/%d", repoURL, c.Issue),
		"body":               c.Body,
		"user":               user,
		"created_at":         c.CreatedAt.Format(time.RFC3339),
		"updated_at":         c.UpdatedAt.Format(time.RFC3339),
		"author_association": "NONE",
	}
}

// renderUser is the simple-user object GitHub embeds in comments and environments.
func (s *Server) renderUser(login string) map[string]any {
	base := s.URL
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	userID := userID(login)
	return map[string]any{
		"login":               login,
		"id":                  userID,
		"node_id":             "U_" + strconv.FormatInt(userID, 36),
		"avatar_url":          "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(userID, 10),
		"gravatar_id":         "",
		"url":                 base + "/users/" + url.PathEscape(login),
		"html_url":            "https://github.com/" + url.PathEscape(login),
		"followers_url":       base + "/users/" + url.PathEscape(login) + "/followers",
		"following_url":       base + "/users/" + url.PathEscape(login) + "/following{/other_user}",
		"gists_url":           base + "/users/" + url.PathEscape(login) + "/gists{/gist_id}",
		"starred_url":         base + "/users/" + url.PathEscape(login) + "/starred{/owner}{/repo}",
		"subscriptions_url":   base + "/users/" + url.PathEscape(login) + "/subscriptions",
		"organizations_url":   base + "/users/" + url.PathEscape(login) + "/orgs",
		"repos_url":           base + "/users/" + url.PathEscape(login) + "/repos",
		"events_url":          base + "/users/" + url.PathEscape(login) + "/events{/privacy}",
		"received_events_url": base + "/users/" + url.PathEscape(login) + "/received_events",
		"type":                typ,
		"site_admin":          false,
	}
}
