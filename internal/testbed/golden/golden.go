// Package golden compares a test's output with a file checked in under
// testdata/ (or docs/), and rewrites the file when the tests run with -update.
// It is the one place the -update flag is declared: every package's tests use
// it, so `go test ./... -update` means the same everywhere.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (and generated docs) with what the code produces now")

// Check fails t when got differs from testdata/name.
func Check[T string | []byte](t testing.TB, name string, got T) {
	t.Helper()
	CheckPath(t, filepath.Join("testdata", name), got)
}

// CheckPath fails t when got differs from the file at path. With -update it
// writes got to path instead (creating its folder), leaving the diff for review.
func CheckPath[T string | []byte](t testing.TB, path string, got T) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it: go test -run '%s' -update)", err, t.Name())
	}
	if !bytes.Equal([]byte(got), want) {
		t.Errorf("%s differs from what the code produces (rerun with -update if the change is intended, and review the diff)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
