package fakegithub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Release is a stored GitHub release with its assets.
type Release struct {
	ID          int64
	Owner, Repo string
	Tag         string
	Name        string
	Commitish   string
	Draft       bool
	Author      string
	CreatedAt   time.Time
	PublishedAt time.Time
	Assets      []*Asset
}

// Asset is a file attached to a release.
type Asset struct {
	ID        int64
	Name      string
	Data      []byte
	Uploader  string
	CreatedAt time.Time
}

// releaseOps are the release operations the fake serves (spec.go adds them to served).
var releaseOps = []operation{
	{"POST", "/repos/{owner}/{repo}/releases"},
	{"PATCH", "/repos/{owner}/{repo}/releases/{release_id}"},
	{"GET", "/repos/{owner}/{repo}/releases/tags/{tag}"},
	// GitHub serves this one on uploads.github.com; the fake on its own origin,
	// which is what the upload_url of a created release names.
	{"POST", "/repos/{owner}/{repo}/releases/{release_id}/assets"},
}

// Releases returns copies of the repository's releases, drafts included.
func (s *Server) Releases(owner, repo string) []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Release
	for _, r := range s.releases {
		if r.Owner == owner && r.Repo == repo {
			c := *r
			c.Assets = append([]*Asset(nil), r.Assets...)
			out = append(out, c)
		}
	}
	return out
}

// ReplaceAsset swaps the content of a published asset, as an attacker with
// write access to the release (or a corrupting proxy) would.
func (s *Server) ReplaceAsset(owner, repo, tag, name string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.releases {
		if r.Owner == owner && r.Repo == repo && r.Tag == tag {
			for _, a := range r.Assets {
				if a.Name == name {
					a.Data = append([]byte(nil), data...)
					return nil
				}
			}
		}
	}
	return fmt.Errorf("no asset %s in release %s of %s/%s", name, tag, owner, repo)
}

// DownloadURL is the browser_download_url of an asset: the server's origin
// (GITHUB_SERVER_URL on a runner) + /owner/repo/releases/download/tag/name.
func (s *Server) DownloadURL(owner, repo, tag, name string) string {
	return fmt.Sprintf("%s/%s/%s/releases/download/%s/%s", s.srv.URL, owner, repo, url.PathEscape(tag), url.PathEscape(name))
}

var downloadPath = regexp.MustCompile(`^/([^/]+)/([^/]+)/releases/download/([^/]+)/([^/]+)$`)

// serveDownload answers GET /owner/repo/releases/download/tag/name on the
// server origin (not the API): the bytes of a published release's asset,
// without authentication (a public repository). It reports whether the
// request was such a download.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) bool {
	m := downloadPath.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Method != http.MethodGet {
		return false
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	var data []byte
	found := false
	for _, rel := range s.releases {
		if rel.Owner == m[1] && rel.Repo == m[2] && rel.Tag == m[3] && !rel.Draft {
			for _, a := range rel.Assets {
				if a.Name == m[4] {
					data, found = a.Data, true
				}
			}
		}
	}
	s.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return true
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
	return true
}

// handleRelease serves the release operations; ok is false for other operations.
func (s *Server) handleRelease(op string, p map[string]string, r *http.Request, body []byte) (rep reply, ok bool) {
	owner, repo := p["owner"], p["repo"]
	if op == "GET /repos/{owner}/{repo}/releases/tags/{tag}" {
		// Public repository: no token needed. Drafts are not found by tag.
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, rel := range s.releases {
			if rel.Owner == owner && rel.Repo == repo && rel.Tag == p["tag"] && !rel.Draft {
				return reply{status: http.StatusOK, body: s.renderRelease(rel)}, true
			}
		}
		return errorReply(http.StatusNotFound, "Not Found"), true
	}
	isRelease := false
	for _, o := range releaseOps {
		isRelease = isRelease || op == o.method+" "+o.path
	}
	if !isRelease {
		return reply{}, false
	}
	who, authed := s.caller(r)
	if !authed {
		return errorReply(http.StatusNotFound, "Not Found"), true
	}
	if who.perm != ReadWrite {
		return errorReply(http.StatusForbidden, "Resource not accessible by integration"), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case "POST /repos/{owner}/{repo}/releases":
		var in struct {
			TagName         string  `json:"tag_name"`
			TargetCommitish string  `json:"target_commitish"`
			Name            *string `json:"name"`
			Draft           bool    `json:"draft"`
		}
		_ = json.Unmarshal(body, &in) // shape already validated against the description
		for _, rel := range s.releases {
			if rel.Owner == owner && rel.Repo == repo && rel.Tag == in.TagName {
				return validationFailed("Release", "tag_name", "already_exists"), true
			}
		}
		s.nextID++
		s.clock = s.clock.Add(time.Minute)
		rel := &Release{ID: s.nextID, Owner: owner, Repo: repo, Tag: in.TagName, Name: in.TagName, Commitish: in.TargetCommitish,
			Draft: in.Draft, Author: who.login, CreatedAt: s.clock}
		if in.Name != nil {
			rel.Name = *in.Name
		}
		if rel.Commitish == "" {
			rel.Commitish = "main"
		}
		if !rel.Draft {
			rel.PublishedAt = s.clock
		}
		s.releases = append(s.releases, rel)
		out := s.renderRelease(rel)
		return reply{status: http.StatusCreated, header: http.Header{"Location": {out["url"].(string)}}, body: out}, true
	case "PATCH /repos/{owner}/{repo}/releases/{release_id}":
		rel := s.release(owner, repo, p["release_id"])
		if rel == nil {
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		var in struct {
			Name  *string `json:"name"`
			Draft *bool   `json:"draft"`
		}
		_ = json.Unmarshal(body, &in)
		s.clock = s.clock.Add(time.Minute)
		if in.Name != nil {
			rel.Name = *in.Name
		}
		if in.Draft != nil {
			if rel.Draft && !*in.Draft {
				rel.PublishedAt = s.clock
			}
			rel.Draft = *in.Draft
		}
		return reply{status: http.StatusOK, body: s.renderRelease(rel)}, true
	case "POST /repos/{owner}/{repo}/releases/{release_id}/assets":
		rel := s.release(owner, repo, p["release_id"])
		if rel == nil {
			// The description lists 201 and 422 only; GitHub answers 404 here too.
			return errorReply(http.StatusNotFound, "Not Found"), true
		}
		name := r.URL.Query().Get("name")
		for _, a := range rel.Assets {
			if a.Name == name {
				return validationFailed("ReleaseAsset", "name", "already_exists"), true
			}
		}
		s.nextID++
		s.clock = s.clock.Add(time.Second)
		a := &Asset{ID: s.nextID, Name: name, Data: append([]byte(nil), body...), Uploader: who.login, CreatedAt: s.clock}
		rel.Assets = append(rel.Assets, a)
		return reply{status: http.StatusCreated, body: s.renderAsset(rel, a)}, true
	}
	return errorReply(http.StatusNotFound, "Not Found"), true
}

func validationFailed(resource, field, code string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
		"message":           "Validation Failed",
		"documentation_url": "https://docs.github.com/rest/releases",
		"errors":            []any{map[string]any{"resource": resource, "field": field, "code": code}},
	}}
}

// release finds a release by id; callers hold s.mu.
func (s *Server) release(owner, repo, id string) *Release {
	n, _ := strconv.ParseInt(id, 10, 64)
	for _, rel := range s.releases {
		if rel.ID == n && rel.Owner == owner && rel.Repo == repo {
			return rel
		}
	}
	return nil
}

// renderRelease is the release object GitHub returns; callers hold s.mu.
func (s *Server) renderRelease(rel *Release) map[string]any {
	api := fmt.Sprintf("%s/repos/%s/%s", s.URL, rel.Owner, rel.Repo)
	self := fmt.Sprintf("%s/releases/%d", api, rel.ID)
	assets := []any{}
	for _, a := range rel.Assets {
		assets = append(assets, s.renderAsset(rel, a))
	}
	var published any
	if !rel.PublishedAt.IsZero() {
		published = rel.PublishedAt.Format(time.RFC3339)
	}
	return map[string]any{
		"url":              self,
		"html_url":         fmt.Sprintf("%s/%s/%s/releases/tag/%s", s.srv.URL, rel.Owner, rel.Repo, url.PathEscape(rel.Tag)),
		"assets_url":       self + "/assets",
		"upload_url":       self + "/assets{?name,label}",
		"tarball_url":      api + "/tarball/" + url.PathEscape(rel.Tag),
		"zipball_url":      api + "/zipball/" + url.PathEscape(rel.Tag),
		"id":               rel.ID,
		"node_id":          "RE_" + strconv.FormatInt(rel.ID, 36),
		"tag_name":         rel.Tag,
		"target_commitish": rel.Commitish,
		"name":             rel.Name,
		"draft":            rel.Draft,
		"prerelease":       strings.Contains(rel.Tag, "-"),
		"created_at":       rel.CreatedAt.Format(time.RFC3339),
		"published_at":     published,
		"author":           s.renderUser(rel.Author),
		"assets":           assets,
	}
}

func (s *Server) renderAsset(rel *Release, a *Asset) map[string]any {
	sum := sha256.Sum256(a.Data)
	return map[string]any{
		"url":                  fmt.Sprintf("%s/repos/%s/%s/releases/assets/%d", s.URL, rel.Owner, rel.Repo, a.ID),
		"browser_download_url": s.DownloadURL(rel.Owner, rel.Repo, rel.Tag, a.Name),
		"id":                   a.ID,
		"node_id":              "RA_" + strconv.FormatInt(a.ID, 36),
		"name":                 a.Name,
		"label":                nil,
		"state":                "uploaded",
		"content_type":         "application/octet-stream",
		"size":                 len(a.Data),
		"digest":               "sha256:" + hex.EncodeToString(sum[:]),
		"download_count":       0,
		"created_at":           a.CreatedAt.Format(time.RFC3339),
		"updated_at":           a.CreatedAt.Format(time.RFC3339),
		"uploader":             s.renderUser(a.Uploader),
	}
}

// ServerURL is the fake's origin as GITHUB_SERVER_URL names github.com: where
// release downloads are served.
func (s *Server) ServerURL() string { return s.srv.URL }
