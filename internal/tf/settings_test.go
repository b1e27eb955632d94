package tf

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An uninitialised root without a backend configuration says which flag
// gives one; dir/backend.hcl is found by itself; a rollback's older
// configuration gets the backend init recorded.
func TestBackendConfiguration(t *testing.T) {
	dir := t.TempDir()
	_, err := Initialised(context.Background(), nil, dir, "", func(string, ...any) { t.Error("init announced without a configuration") })
	if err == nil || !strings.Contains(err.Error(), "pass --backend-config") {
		t.Errorf("no configuration: %v", err)
	}
	if f, err := BackendConfigFile(dir, ""); f != "" || err != nil {
		t.Errorf("no backend.hcl: %q, %v", f, err)
	}
	hcl := filepath.Join(dir, "backend.hcl")
	be := Backend{Bucket: "state", Key: "jitsi/terraform.tfstate", Region: "eu-west-1"}
	if err := be.WriteConfig(hcl, true); err != nil {
		t.Fatal(err)
	}
	if f, err := BackendConfigFile(dir, ""); f != hcl || err != nil {
		t.Errorf("backend.hcl beside the stack: %q, %v", f, err)
	}
	if f, _ := BackendConfigFile(dir, "other.hcl"); !filepath.IsAbs(f) || filepath.Base(f) != "other.hcl" {
		t.Errorf("a given file wins, made absolute: %q", f)
	}
	raw, _ := os.ReadFile(hcl)
	for _, want := range []string{`bucket = "state"`, `key = "jitsi/terraform.tfstate"`, `region = "eu-west-1"`, "use_lockfile = true", "use_path_style = true"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("backend.hcl lacks %s:\n%s", want, raw)
		}
	}
}

// The log file jitsictl chooses is named once, at the first write; one the
// user chose is not.
func TestOpenLogAnnouncesTheFileItChose(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	var said []string
	w := OpenLog(func(string) string { return "" }, func(p string) { said = append(said, p) })
	if w == nil {
		t.Fatal("no log file")
	}
	w.Write([]byte("a"))
	w.Write([]byte("b"))
	if len(said) != 1 || filepath.Base(said[0]) != "terraform.log" {
		t.Errorf("announced %v, want terraform.log once", said)
	}
	mine := filepath.Join(t.TempDir(), "tf.log")
	w = OpenLog(func(k string) string { return map[string]string{LogEnv: mine}[k] }, func(string) { t.Error("announced the user's own file") })
	w.Write([]byte("x"))
	if raw, _ := os.ReadFile(mine); string(raw) != "x" {
		t.Errorf("the user's log holds %q", raw)
	}
}

// In a job's log Terraform writes to stderr; elsewhere to the log file, or
// to stderr when none can be opened.
func TestLogGoesToStderrOnlyInAJobsLog(t *testing.T) {
	var stderr strings.Builder
	mine := filepath.Join(t.TempDir(), "tf.log")
	env := func(k string) string { return map[string]string{LogEnv: mine}[k] }
	if w := Log(env, true, &stderr, nil); w != io.Writer(&stderr) {
		t.Errorf("in Actions: %T, want stderr", w)
	}
	Log(env, false, &stderr, nil).Write([]byte("x"))
	if raw, _ := os.ReadFile(mine); string(raw) != "x" || stderr.Len() != 0 {
		t.Errorf("on a terminal: file holds %q, stderr %q", raw, stderr.String())
	}
	bad := func(k string) string { return map[string]string{LogEnv: filepath.Join(mine, "no", "such", "dir")}[k] }
	if w := Log(bad, false, &stderr, nil); w != io.Writer(&stderr) {
		t.Errorf("no file: %T, want stderr", w)
	}
}
