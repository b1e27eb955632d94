package clidocs

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ExitCode is one row of the reference's exit code table.
type ExitCode struct {
	Code    int
	Meaning string
}

// CLIReference renders docs/cli.md from the command tree itself, so the
// reference cannot drift from the binary (cli's docs test compares the two).
func CLIReference(root *cobra.Command, exits []ExitCode) string {
	var b strings.Builder
	b.WriteString("# jitsictl command reference\n\n<!-- Generated from the command tree: go test ./internal/cli -run TestDocs -update -->\n\n")
	b.WriteString("## Global flags\n\n")
	writeFlags(&b, root.PersistentFlags())
	b.WriteString("\n## Exit codes\n\n| code | meaning |\n|---|---|\n")
	for _, e := range exits {
		fmt.Fprintf(&b, "| %d | %s |\n", e.Code, e.Meaning)
	}
	for _, c := range Commands(root)[1:] {
		if !c.Runnable() && !c.HasSubCommands() {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", c.CommandPath(), c.Short)
		if c.Long != "" {
			fmt.Fprintf(&b, "\n%s\n", c.Long)
		}
		if c.Example != "" {
			fmt.Fprintf(&b, "\n```sh\n%s\n```\n", strings.TrimRight(c.Example, "\n"))
		}
		if own := commandFlags(c); own.HasFlags() {
			b.WriteString("\n")
			writeFlags(&b, own)
		}
	}
	return b.String()
}

// Commands walks the tree from c, leaving out hidden commands and help.
func Commands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		if sub.Hidden || sub.Name() == "help" {
			continue
		}
		out = append(out, Commands(sub)...)
	}
	return out
}

// commandFlags are the flags a command takes beyond the global ones: its own,
// those it gives its subcommands (deploy's --config) and those it inherits
// from a parent other than the root.
func commandFlags(c *cobra.Command) *pflag.FlagSet {
	global := c.Root().PersistentFlags()
	fs := pflag.NewFlagSet(c.CommandPath(), pflag.ContinueOnError)
	add := func(f *pflag.Flag) {
		if global.Lookup(f.Name) == nil && fs.Lookup(f.Name) == nil {
			fs.AddFlag(f)
		}
	}
	c.LocalFlags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	return fs
}

func writeFlags(b *strings.Builder, fs *pflag.FlagSet) {
	b.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		def := f.DefValue
		if def == "" {
			def = " "
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(b, "| `--%s` | %s | %s |\n", f.Name, def, strings.ReplaceAll(f.Usage, "|", `\|`))
	})
}
