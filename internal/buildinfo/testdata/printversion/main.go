// Command printversion is the smallest program that carries the release
// stamp: the buildinfo test builds it with the release flags, and the
// release workflow test packages it in place of cmd/jitsictl (a cold
// cross-build of the real binary for four platforms takes many CPU-minutes).
package main

import (
	"fmt"
	"os"

	"github.com/jitsictl/jitsictl/internal/buildinfo"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] != "version" {
		fmt.Fprintln(os.Stderr, "printversion: only `version` is understood")
		os.Exit(2)
	}
	fmt.Println(buildinfo.Get())
}
