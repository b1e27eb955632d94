package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/images"
	"github.com/jitsictl/jitsictl/internal/images/imagestest"
	"github.com/jitsictl/jitsictl/internal/report"
)

// images pin writes what the stack reads and deploy plan checks.
func TestImagesPinWritesTheStacksPins(t *testing.T) {
	host := imagestest.Registry(t)
	digests := imagestest.Release(t, host, "stable-11146-2", imagestest.Both)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{images.RegistryEnv: host}
	if code, _, stderr := run(t, env, "images", "pin", "--tag", "stable", "--dir", dir); code != ExitUsage || !strings.Contains(stderr, "not a moving tag") {
		t.Fatalf("moving tag: exit %d\n%s", code, stderr)
	}
	code, _, stderr := run(t, env, "images", "pin", "--tag", "stable-11146-2", "--dir", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, images.PinFile))
	if err != nil {
		t.Fatal(err)
	}
	var vars map[string]any
	if err := json.Unmarshal(b, &vars); err != nil {
		t.Fatal(err)
	}
	vars["cpu_architecture"], vars["images"] = "ARM64", "source"
	r, _ := report.New(report.Options{Stdout: io.Discard, Stderr: io.Discard})
	if _, err := images.CheckPlanned(context.Background(), r, images.Registry{Host: host}, vars); err != nil {
		t.Fatalf("the written pins fail the check: %v\n%s", err, b)
	}
	for c, d := range digests {
		if got := vars["jitsi_image_digests"].(map[string]any)[c]; got != d {
			t.Errorf("%s pinned %v, registry has %s", c, got, d)
		}
	}
}
