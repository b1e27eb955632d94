// Package buildinfo holds what a release build stamps into the binary with
// -ldflags -X (scripts/release.sh). It imports nothing of the project, so a
// release test can package a tiny program that still carries the stamp.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by the release build: -X github.com/jitsictl/jitsictl/internal/buildinfo.version=v1.2.3
// and .commit=<full sha>. A plain `go build` leaves them empty.
var version, commit string

// Info is what `jitsictl version` prints.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go"`
	Platform  string `json:"platform"`
}

// Get returns the stamped version and commit; for an unstamped build, what
// the Go toolchain recorded (module version for `go install mod@vX`, VCS
// revision for a build in a git checkout), else "dev" and "unknown".
func Get() Info {
	i := Info{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && i.Commit == "" {
				i.Commit = s.Value
			}
		}
	}
	if i.Version == "" {
		i.Version = "dev"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	return i
}

// String is the one line `jitsictl version` prints (the actions log it first).
func (i Info) String() string {
	return fmt.Sprintf("jitsictl %s (commit %s, %s, %s)", i.Version, i.Commit, i.GoVersion, i.Platform)
}
