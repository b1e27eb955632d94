package fakegithub

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// OctokitVersion is the @octokit/openapi release the fake is checked against.
const OctokitVersion = "23.0.2"

// InstallCommand installs the description where SpecPath looks by default (run it in the
// repository root; CI runs it before the tests).
const InstallCommand = "npm install --prefix .cache/octokit-openapi @octokit/openapi@" + OctokitVersion

// EnvSpec overrides the location of api.github.com.json.
const EnvSpec = "JITSICTL_OCTOKIT_OPENAPI"

const defaultSpec = ".cache/octokit-openapi/node_modules/@octokit/openapi/generated/api.github.com.json"

// SpecPath returns $JITSICTL_OCTOKIT_OPENAPI, or the default install location under the
// repository root (found by walking up to go.mod).
func SpecPath() (string, error) {
	if p := os.Getenv(EnvSpec); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, defaultSpec), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory; set %s", EnvSpec)
		}
		dir = parent
	}
}

// operation names one REST operation by method and path template as the spec writes them.
type operation struct{ method, path string }

// served are the operations the fake implements.
var served = []operation{
	{"GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"},
	{"POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"},
	{"PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"},
	{"PUT", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable"},
	{"PUT", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable"},
	{"GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"},
}

// spec is the part of GitHub's description the fake validates against: the served
// operations with every component they reference, plus the set of all operations so an
// unserved request can be told apart from one GitHub does not have at all.
type spec struct {
	doc *openapi3.T
	all map[string]bool // "METHOD /template"
}

var (
	specOnce sync.Once
	specVal  *spec
	specErr  error
)

// loadSpec reads and prunes the description once per test binary: kin-openapi needs
// seconds and ~400 MB to load all of api.github.com.json, the pruned document milliseconds.
func loadSpec() (*spec, error) {
	specOnce.Do(func() { specVal, specErr = readSpec() })
	return specVal, specErr
}

func readSpec() (*spec, error) {
	path, err := SpecPath()
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("GitHub's OpenAPI description is missing (%v).\nInstall it from the repository root with:\n  %s\nor point %s at api.github.com.json", err, InstallCommand, EnvSpec)
	}
	var full map[string]any
	if err := json.Unmarshal(raw, &full); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if v, _ := full["info"].(map[string]any)["version"].(string); v != OctokitVersion {
		return nil, fmt.Errorf("%s is @octokit/openapi %q, the fake is checked against %s; reinstall with:\n  %s", path, v, OctokitVersion, InstallCommand)
	}
	paths, _ := full["paths"].(map[string]any)
	s := &spec{all: map[string]bool{}}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			s.all[strings.ToUpper(m)+" "+p] = true
		}
	}
	components, _ := full["components"].(map[string]any)
	mini := map[string]any{
		"openapi":    full["openapi"],
		"info":       full["info"],
		"paths":      map[string]any{},
		"components": map[string]any{},
	}
	var visit func(v any) error
	seen := map[string]bool{}
	visit = func(v any) error {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok && !seen[ref] {
				seen[ref] = true
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				if len(parts) != 2 {
					return fmt.Errorf("unexpected $ref %q", ref)
				}
				kind, _ := components[parts[0]].(map[string]any)
				target, ok := kind[parts[1]]
				if !ok {
					return fmt.Errorf("dangling $ref %q", ref)
				}
				dst := mini["components"].(map[string]any)
				if dst[parts[0]] == nil {
					dst[parts[0]] = map[string]any{}
				}
				dst[parts[0]].(map[string]any)[parts[1]] = target
				if err := visit(target); err != nil {
					return err
				}
			}
			for _, val := range t {
				if err := visit(val); err != nil {
					return err
				}
			}
		case []any:
			for _, val := range t {
				if err := visit(val); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, op := range append(served, releaseOps...) {
		item, _ := paths[op.path].(map[string]any)
		o, ok := item[strings.ToLower(op.method)]
		if !ok {
			return nil, fmt.Errorf("GitHub's description has no %s %s; the fake must not serve it", op.method, op.path)
		}
		// The asset upload names its own origin (uploads.github.com); the fake
		// serves it on its one origin, as the upload_url it hands out says.
		if m, ok := o.(map[string]any); ok && m["servers"] != nil {
			c := make(map[string]any, len(m))
			for k, v := range m {
				if k != "servers" {
					c[k] = v
				}
			}
			o = c
		}
		if err := visit(o); err != nil {
			return nil, err
		}
		dst := mini["paths"].(map[string]any)
		if dst[op.path] == nil {
			dst[op.path] = map[string]any{}
		}
		dst[op.path].(map[string]any)[strings.ToLower(op.method)] = o
	}
	b, err := json.Marshal(mini)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load pruned GitHub description: %w", err)
	}
	// GitHub's examples do not always match their schemas (e.g. a number example for a
	// string); the schemas are what the fake is checked against.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("pruned GitHub description is invalid: %w", err)
	}
	s.doc = doc
	return s, nil
}
