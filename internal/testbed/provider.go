package testbed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/tf"
)

// StartProvider starts the AWS provider that terraform init installed in dir as a
// long-running process (tf.StartProvider); its Reattach is TF_REATTACH_PROVIDERS'
// value for the commands that use it. Besides the CPU, a loaded machine no longer fails a command
// with "timeout while waiting for plugin to start" (Terraform gives a provider one
// minute). env is the emulator's, on top of this process's environment. The provider
// logs to provider.log beside dir and ends with the test.
func StartProvider(t testing.TB, dir string, env []string) *tf.Provider {
	t.Helper()
	log, err := os.Create(filepath.Join(filepath.Dir(dir), "provider.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	vars := map[string]string{}
	for _, kv := range append(os.Environ(), env...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	p, err := tf.StartProvider(Context(t), dir, func(k string) string { return vars[k] }, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}
