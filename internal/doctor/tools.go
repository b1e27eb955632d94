package doctor

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Tool is a program some flow runs besides Terraform.
type Tool struct {
	Name string
	For  string // the flows that need it, in words
	// Install says how to get it.
	Install string
	// Optional tools are named when missing but fail nothing: only a side
	// flow (the demo) needs them.
	Optional bool
}

// Tools are the programs jitsictl runs besides Terraform.
var Tools = []Tool{
	{Name: "git", For: "deploy rollback", Install: "install git (apt-get install git, or your system's package)"},
	{Name: "moto_server", For: "jitsictl demo only", Install: "pip install 'moto[server]==5.2.1'", Optional: true},
}

// checkTools finds every tool on PATH (lookPath is exec.LookPath outside tests).
func checkTools(lookPath func(string) (string, error)) (detail, fix string, err error) {
	var found, optional, fixes []string
	var missing []string
	for _, t := range Tools {
		if _, lerr := lookPath(t.Name); lerr == nil {
			found = append(found, t.Name)
			continue
		}
		if t.Optional {
			optional = append(optional, fmt.Sprintf("%s not found (%s: %s)", t.Name, t.For, t.Install))
			continue
		}
		missing = append(missing, fmt.Sprintf("%s not found (needed by %s)", t.Name, t.For))
		fixes = append(fixes, t.Install)
	}
	detail = "found " + orDefault(strings.Join(found, ", "), "none")
	if len(optional) > 0 {
		detail += "; " + strings.Join(optional, "; ")
	}
	if len(missing) > 0 {
		return "", strings.Join(fixes, "; "), errors.New(strings.Join(missing, "; ") + "; " + detail)
	}
	return detail, "", nil
}

// BootstrapFix is what doctor says when it runs outside a repository: the
// steps that create the state bucket and the backend file (README, Setup).
const BootstrapFix = "run doctor from a clone of jitsictl (or pass --dir <stack folder>); to set up an " +
	"account, run terraform -chdir=terraform/bootstrap init && apply (README: Setup)"

var lookPath = exec.LookPath
