package tf

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// ReattachEnv is Terraform's own variable naming provider processes that are
// already running (a provider started with -debug): Terraform then attaches
// to them instead of starting a provider for every command. terraform-exec
// drops it from a child's environment and takes it as an option instead, so
// jitsictl passes it on explicitly (Settings.Runner) rather than silently
// ignoring what Terraform itself honours.
const ReattachEnv = "TF_REATTACH_PROVIDERS"

// WithReattach makes every command that loads providers (plan, apply, show)
// attach to the running providers that info (TF_REATTACH_PROVIDERS' JSON)
// names. "" changes nothing. An invalid value fails New.
func WithReattach(info string) Option { return func(c *config) { c.reattach = info } }

// reattachOption parses info into terraform-exec's option; nil for "".
func reattachOption(info string) (*tfexec.ReattachOption, error) {
	if info == "" {
		return nil, nil
	}
	var ri tfexec.ReattachInfo
	if err := json.Unmarshal([]byte(info), &ri); err != nil || len(ri) == 0 {
		return nil, fmt.Errorf("%s is not a provider reattach map (the JSON a provider started with -debug prints): %q", ReattachEnv, info)
	}
	return tfexec.Reattach(ri), nil
}
