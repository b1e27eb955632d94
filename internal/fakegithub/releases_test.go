package fakegithub

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// call sends one API request the way scripts/release.sh does (curl).
func call(t *testing.T, method, url, tok, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestReleaseLifecycle(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("w", "github-actions[bot]", ReadWrite)
	s.AddToken("r", "fork", ReadOnly)
	api := s.URL + "/repos/o/r/releases"

	if code, _ := call(t, "POST", api, "r", "application/json", []byte(`{"tag_name":"v1.0.0"}`)); code != http.StatusForbidden {
		t.Errorf("read-only token created a release: %d", code)
	}
	code, rel := call(t, "POST", api, "w", "application/json", []byte(`{"tag_name":"v1.0.0","name":"v1.0.0","draft":true}`))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, rel)
	}
	if code, _ := call(t, "POST", api, "w", "application/json", []byte(`{"tag_name":"v1.0.0"}`)); code != http.StatusUnprocessableEntity {
		t.Errorf("second release for the same tag: %d, want 422", code)
	}
	upload := strings.TrimSuffix(rel["upload_url"].(string), "{?name,label}")
	if code, a := call(t, "POST", upload+"?name=x.tar.gz", "w", "application/octet-stream", []byte("archive")); code != http.StatusCreated || a["browser_download_url"] == "" {
		t.Fatalf("upload: %d %v", code, a)
	}
	if code, _ := call(t, "POST", upload+"?name=x.tar.gz", "w", "application/octet-stream", []byte("again")); code != http.StatusUnprocessableEntity {
		t.Errorf("same asset name twice: %d, want 422", code)
	}
	// A draft is invisible by tag and its assets cannot be downloaded.
	if code, _ := call(t, "GET", api+"/tags/v1.0.0", "", "", nil); code != http.StatusNotFound {
		t.Errorf("draft found by tag: %d", code)
	}
	if code, _ := call(t, "PATCH", rel["url"].(string), "w", "application/json", []byte(`{"draft":false}`)); code != http.StatusOK {
		t.Fatalf("publish: %d", code)
	}
	code, got := call(t, "GET", api+"/tags/v1.0.0", "", "", nil)
	if code != http.StatusOK || got["published_at"] == nil || len(got["assets"].([]any)) != 1 {
		t.Fatalf("published release by tag: %d %v", code, got)
	}
	resp, err := http.Get(s.DownloadURL("o", "r", "v1.0.0", "x.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "archive" {
		t.Errorf("download = %q, want the uploaded bytes", b)
	}
	if err := s.ReplaceAsset("o", "r", "v1.0.0", "x.tar.gz", []byte("evil")); err != nil {
		t.Fatal(err)
	}
	if v := s.TakeViolations(); len(v) != 0 {
		t.Fatalf("violations on valid traffic: %q", v)
	}
}

// A client that sends what the description does not allow is caught: the
// upload's body must be application/octet-stream.
func TestReleaseUploadContractIsChecked(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.AddToken("w", "someone", ReadWrite)
	_, rel := call(t, "POST", s.URL+"/repos/o/r/releases", "w", "application/json", []byte(`{"tag_name":"v1.0.0"}`))
	upload := strings.TrimSuffix(rel["upload_url"].(string), "{?name,label}")
	call(t, "POST", upload+"?name=x", "w", "text/plain", []byte("x"))
	if v := s.TakeViolations(); len(v) != 1 {
		t.Errorf("violations %q, want the upload's content type", v)
	}
}
