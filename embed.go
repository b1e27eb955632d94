// Package jitsictl holds what the binary carries with it: the Terraform stack,
// so `jitsictl demo` (and a user without a checkout) has the real stack at hand.
package jitsictl

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed terraform/*.tf terraform/backend.hcl.example terraform/modules/*/*.tf jitsictl.yaml
var stack embed.FS

// WriteStack copies the embedded terraform/ tree into dir (dir/terraform/...),
// with the shipped deploy stages beside it (dir/jitsictl.yaml).
func WriteStack(dir string) (string, error) {
	stages, err := stack.ReadFile("jitsictl.yaml")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "jitsictl.yaml"), stages, 0o644); err != nil {
		return "", err
	}
	err = fs.WalkDir(stack, "terraform", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := stack.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	return filepath.Join(dir, "terraform"), err
}
