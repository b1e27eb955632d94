package testbed

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// lockHashes is a provider block's hashes attribute as terraform init writes it.
var lockHashes = regexp.MustCompile(`(?s)\n\s*hashes\s*=\s*\[[^\]]*\]`)

// DropProviderHashes removes the provider checksums from the dependency lock file
// that terraform init wrote into dir, keeping the selected versions.
//
// Terraform checks every command's providers against those checksums by hashing
// the installed package: for the AWS provider that is a 675 MB read and SHA-256,
// about 0.5 CPU-seconds, in every plan, apply and output (measured: output
// 0.68 -> 0.17 CPU-s, plan 5.8 -> 4.8). A suite runs about 1,200 Terraform commands.
// The tests' copies hold a provider that the tests installed themselves from the
// machine's mirror moments before; the committed lock files keep their hashes (and
// TestLockFilesHoldEveryPlatformsHashes checks them), and jitsictl never does this.
func DropProviderHashes(t testing.TB, dir string) {
	t.Helper()
	path := filepath.Join(dir, ".terraform.lock.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the lock file terraform init wrote: %v", err)
	}
	stripped := lockHashes.ReplaceAll(b, nil)
	// A layout the pattern misses would leave checksums (h1:, zh:) behind and
	// quietly keep the cost: say so instead.
	if bytes.Contains(stripped, []byte(`"h1:`)) || bytes.Contains(stripped, []byte(`"zh:`)) {
		t.Fatalf("%s still holds checksums after removing the hashes attributes:\n%s", path, stripped)
	}
	if err := os.WriteFile(path, stripped, 0o644); err != nil {
		t.Fatal(err)
	}
}
