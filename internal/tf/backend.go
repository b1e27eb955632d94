package tf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jitsictl/jitsictl/internal/report"
)

// Backend is the S3 backend an initialised root points at.
type Backend struct {
	Bucket, Key, Region string
}

// ReadBackend reads the backend that `terraform init` recorded in
// .terraform/terraform.tfstate, without running Terraform.
func ReadBackend(dir string) (Backend, error) {
	b, err := os.ReadFile(filepath.Join(dir, ".terraform", "terraform.tfstate"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Backend{}, fmt.Errorf("%s is not initialised (no .terraform/terraform.tfstate)", dir)
		}
		return Backend{}, err
	}
	var st struct {
		Backend *struct {
			Type   string         `json:"type"`
			Config map[string]any `json:"config"`
		} `json:"backend"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return Backend{}, fmt.Errorf("read %s/.terraform/terraform.tfstate: %w", dir, err)
	}
	if st.Backend == nil || st.Backend.Type != "s3" {
		return Backend{}, fmt.Errorf("%s is initialised without the S3 backend: state would be local and unlocked", dir)
	}
	str := func(k string) string { s, _ := st.Backend.Config[k].(string); return s }
	be := Backend{Bucket: str("bucket"), Key: str("key"), Region: str("region")}
	if be.Bucket == "" {
		return Backend{}, fmt.Errorf("%s: S3 backend has no bucket configured", dir)
	}
	return be, nil
}

// BackendConfigFile is the partial backend configuration for init: given
// (absolute) when set, else dir/backend.hcl when it exists, else "".
func BackendConfigFile(dir, given string) (string, error) {
	if given != "" {
		return filepath.Abs(given)
	}
	if _, err := os.Stat(filepath.Join(dir, "backend.hcl")); err == nil {
		return filepath.Join(dir, "backend.hcl"), nil
	}
	return "", nil
}

// WriteConfig describes be as a backend configuration file at path, for a
// root initialised with a file this run does not have (a rollback's older
// configuration must use the same state). pathStyle is for emulators.
func (be Backend) WriteConfig(path string, pathStyle bool) error {
	conf := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nuse_lockfile = true\nencrypt = true\n", be.Bucket, be.Key, be.Region)
	if pathStyle {
		conf += "use_path_style = true\n"
	}
	return os.WriteFile(path, []byte(conf), 0o600)
}

// Root checks that dir is a Terraform root (a folder with .tf files) and
// returns its absolute path; the error is bad input naming the --dir flag.
func Root(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", report.Usagef("--dir %q: %v", dir, err)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", report.Usagef("Terraform root %q does not exist: pass --dir with the folder holding the stack's .tf files (default terraform)", dir)
	}
	if tfs, _ := filepath.Glob(filepath.Join(abs, "*.tf")); len(tfs) == 0 {
		return "", report.Usagef("Terraform root %q has no .tf files: pass --dir with the folder holding the stack (default terraform)", dir)
	}
	return abs, nil
}
