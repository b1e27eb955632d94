// Command jitsictl runs a self-hosted Jitsi Meet on AWS at near-zero idle cost.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/jitsictl/jitsictl/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Env{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
