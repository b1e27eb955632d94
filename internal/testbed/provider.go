package testbed

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jitsictl/jitsictl/internal/tf"
)

// StartProvider starts the AWS provider that terraform init installed in dir as a
// long-running process (tf.StartProvider); its Reattach is TF_REATTACH_PROVIDERS'
// value for the commands that use it. Besides the CPU, a loaded machine no longer fails a command
// with "timeout while waiting for plugin to start" (Terraform gives a provider one
// minute). env is the emulator's, on top of this process's environment. The provider
// logs to provider.log beside dir and ends with the test. It serves the schema of
// the types the repository's Terraform files name (tf.TypesNamed), enough for any
// of its configurations, stack or test data, in any order.
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
	types, err := repoTypes(RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tf.StartProvider(Context(t), dir, func(k string) string { return vars[k] }, log, types)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// repoTypes is tf.TypesNamed of the repository, read once per test binary.
var repoTypes = func() func(root string) (tf.TypeSet, error) {
	var once sync.Once
	var types tf.TypeSet
	var err error
	return func(root string) (tf.TypeSet, error) {
		once.Do(func() { types, err = tf.TypesNamed(root) })
		return types, err
	}
}()
