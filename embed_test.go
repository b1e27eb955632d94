package jitsictl

import (
	"os"
	"path/filepath"
	"testing"
)

// The embedded stack must be the checked-in one, file for file, or the demo
// would show something other than what users deploy.
func TestEmbeddedStackMatchesCheckout(t *testing.T) {
	t.Parallel()
	dir, err := WriteStack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"jitsictl.yaml"}
	for _, pat := range []string{"terraform/*.tf", "terraform/modules/*/*.tf"} {
		m, _ := filepath.Glob(pat)
		want = append(want, m...)
	}
	if len(want) == 0 {
		t.Fatal("no .tf files in the checkout")
	}
	for _, p := range want {
		got, err := os.ReadFile(filepath.Join(filepath.Dir(dir), p))
		if err != nil {
			t.Fatalf("%s not embedded (add its folder to the go:embed line in embed.go): %v", p, err)
		}
		orig, _ := os.ReadFile(p)
		if string(got) != string(orig) {
			t.Fatalf("%s differs from the checkout", p)
		}
	}
}
