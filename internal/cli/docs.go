package cli

import "github.com/jitsictl/jitsictl/internal/clidocs"

// exitCodes are Run's exit codes as docs/cli.md explains them.
var exitCodes = []clidocs.ExitCode{
	{Code: ExitOK, Meaning: "success"},
	{Code: ExitFailure, Meaning: "the command ran and something failed: a check, a wait, an apply (the message says what, and how to recover)"},
	{Code: ExitUsage, Meaning: "bad input: unknown command or flag, a value out of range; nothing was touched"},
}

// CLIReference renders docs/cli.md from the command tree itself, so the
// reference cannot drift from the binary (a test compares the two).
func CLIReference() string { return clidocs.CLIReference((&App{}).rootCommand(), exitCodes) }
