package tf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
