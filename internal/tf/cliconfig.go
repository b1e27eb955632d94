package tf

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultPluginMirror is where CI images and this project's dev machines keep the AWS
// provider, so terraform never has to reach the registry.
const DefaultPluginMirror = "/opt/tf-plugins"

// PluginMirrorEnv names a provider mirror directory that overrides DefaultPluginMirror.
const PluginMirrorEnv = "JITSICTL_PLUGIN_MIRROR"

// PluginCacheEnv names the plugin cache directory used with packed mirrors.
const PluginCacheEnv = "JITSICTL_PLUGIN_CACHE"

// PluginMirror returns the provider mirror to use, or "" to use the user's own
// Terraform configuration (the public registry). getenv is os.Getenv in production.
func PluginMirror(getenv func(string) string) (string, error) {
	if dir := getenv(PluginMirrorEnv); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("%s=%s is not a directory: set it to a terraform provider mirror (terraform providers mirror DIR) or unset it", PluginMirrorEnv, dir)
		}
		return dir, nil
	}
	if st, err := os.Stat(DefaultPluginMirror); err == nil && st.IsDir() {
		return DefaultPluginMirror, nil
	}
	return "", nil
}

// CLIConfig renders a Terraform CLI configuration that installs providers only from the
// mirror. cacheDir may be "" for no plugin cache.
//
// From an unpacked mirror (provider binaries in directories, like /opt/tf-plugins)
// terraform symlinks the provider into .terraform, so nothing is copied and no cache is
// needed. A packed mirror (zip files) is extracted on each init: there the cache keeps
// one extracted copy of the ~600 MB provider.
func CLIConfig(mirror, cacheDir string) string {
	var b strings.Builder
	b.WriteString("# Written by jitsictl for its terraform child processes.\n")
	b.WriteString("provider_installation {\n  filesystem_mirror {\n    path = " + strconv.Quote(mirror) + "\n  }\n}\n")
	if cacheDir != "" {
		b.WriteString("plugin_cache_dir = " + strconv.Quote(cacheDir) + "\n")
	}
	return b.String()
}

// packedMirror reports whether the mirror holds zip archives (the packed layout).
func packedMirror(mirror string) bool {
	packed := false
	_ = filepath.WalkDir(mirror, func(path string, d fs.DirEntry, err error) error {
		if packed {
			return fs.SkipAll
		}
		if err != nil {
			return nil // unreadable corners of a mirror cannot hold what terraform uses either
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".zip") {
			packed = true
		}
		return nil
	})
	return packed
}

// pluginCacheDir picks the cache for packed mirrors: $JITSICTL_PLUGIN_CACHE, else the
// user cache directory.
func pluginCacheDir(getenv func(string) string) (string, error) {
	dir := getenv(PluginCacheEnv)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no plugin cache directory: set %s: %w", PluginCacheEnv, err)
		}
		dir = filepath.Join(base, "jitsictl", "terraform-plugin-cache")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create plugin cache %s: %w", dir, err)
	}
	return dir, nil
}

// writeCLIConfig writes the mirror configuration under dir/.terraform (which terraform
// owns anyway and .gitignore excludes) and returns its path, or "" when no mirror is
// available and the user's configuration applies.
func writeCLIConfig(dir string, getenv func(string) string) (string, error) {
	mirror, err := PluginMirror(getenv)
	if err != nil || mirror == "" {
		return "", err
	}
	cache := ""
	if packedMirror(mirror) {
		if cache, err = pluginCacheDir(getenv); err != nil {
			return "", err
		}
	}
	tfDir := filepath.Join(dir, ".terraform")
	if err := os.MkdirAll(tfDir, 0o755); err != nil {
		return "", fmt.Errorf("write terraform CLI config: %w", err)
	}
	path := filepath.Join(tfDir, "jitsictl-cli.tfrc")
	// Write-then-rename: concurrent runners in one directory never see a partial file.
	tmp, err := os.CreateTemp(tfDir, ".jitsictl-cli-*.tfrc")
	if err != nil {
		return "", fmt.Errorf("write terraform CLI config: %w", err)
	}
	_, werr := tmp.WriteString(CLIConfig(mirror, cache))
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write terraform CLI config %s: %v %v", tmp.Name(), werr, cerr)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write terraform CLI config: %w", err)
	}
	return path, nil
}
