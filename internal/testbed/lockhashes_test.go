package testbed

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDropProviderHashesKeepsVersions(t *testing.T) {
	dir := t.TempDir()
	lock := `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.100"
  hashes = [
    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
    "zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644",
  ]
}

provider "registry.terraform.io/hashicorp/tls" {
  version = "4.0.6"
  hashes = ["h1:dYSb3V94K5dDMtrBRLPzBpkMTPn+3cXZ/kIJdtFL+2M="]
}
`
	want := `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.100"
}

provider "registry.terraform.io/hashicorp/tls" {
  version = "4.0.6"
}
`
	path := filepath.Join(dir, ".terraform.lock.hcl")
	if err := os.WriteFile(path, []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	DropProviderHashes(t, dir)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("lock file after DropProviderHashes:\n%s\nwant:\n%s", got, want)
	}
}
