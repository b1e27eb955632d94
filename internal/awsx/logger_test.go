package awsx

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The SDK logs "WARN falling back to IMDSv1" to stderr when an instance
// metadata endpoint refuses a token, in the middle of doctor's table. Load
// gives the SDK a logger that drops it: the failure still reaches the user
// as the call's error. Not parallel: it swaps os.Stderr, where the SDK's
// default logger writes.
func TestSDKLogLinesAreSilenced(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden) // token refused: the SDK warns and falls back to IMDSv1
	}))
	defer imds.Close()
	home := t.TempDir()
	cfgFile := filepath.Join(home, "config")
	if err := os.WriteFile(cfgFile, []byte("[default]\nec2_metadata_service_endpoint = "+imds.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AWS_CONFIG_FILE": cfgFile, "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "none"), "AWS_REGION": "us-east-1"}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	captured := make(chan string)
	go func() { b, _ := io.ReadAll(r); captured <- string(b) }()
	cfg, err := Load(context.Background(), Settings{Getenv: func(k string) string { return env[k] }})
	if err == nil {
		_, err = sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	}
	os.Stderr = stderr
	w.Close()
	logged := <-captured

	if err == nil {
		t.Fatal("no credentials anywhere, yet GetCallerIdentity succeeded")
	}
	if strings.Contains(logged, "SDK ") || strings.Contains(logged, "WARN") {
		t.Errorf("the SDK logged to stderr:\n%s", logged)
	}
}
