package testbed

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsictl/jitsictl/internal/tf"
)

// StartProvider starts the AWS provider that terraform init installed in dir as a
// long-running process in the provider's debug mode and returns its reattach info
// (TF_REATTACH_PROVIDERS). Terraform attaches to it instead of starting the ~700 MB
// provider two or three times for every plan, apply and show: measured on a 2-core
// machine, a session's targeted apply fell from about 9 to about 4 CPU-seconds, and a
// loaded machine no longer fails a command with "timeout while waiting for plugin to
// start" (Terraform gives a provider one minute). It is the same binary Terraform would
// start, configured by each command's provider block as usual.
//
// A provider process holds one configuration, the last command's: give each stack
// (project, default tags) its own, never one to two stacks used side by side. env is
// the emulator's: the provider reads credentials and endpoints from its own
// environment, not terraform's. It ends with the test.
func StartProvider(t testing.TB, dir string, env []string) string {
	t.Helper()
	bins, _ := filepath.Glob(filepath.Join(dir, ".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "*", "*", "terraform-provider-aws*"))
	if len(bins) != 1 {
		t.Fatalf("want one AWS provider installed under %s/.terraform (run terraform init first), found %v", dir, bins)
	}
	logPath := filepath.Join(filepath.Dir(dir), "provider.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := Context(t)
	cmd := Command(t, ctx, bins[0], "-debug")
	// Not dir: the kill tests end what a killed run left in the stack's directory.
	cmd.Dir = filepath.Dir(dir)
	cmd.Env = providerEnv(os.Environ(), env)
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the AWS provider in debug mode: %v", err)
	}
	found := make(chan string, 1)
	go func() {
		defer log.Close()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			_, _ = io.WriteString(log, line+"\n")
			if _, info, ok := strings.Cut(line, tf.ReattachEnv+"='"); ok {
				found <- strings.TrimSuffix(strings.TrimSpace(info), "'")
			}
		}
		close(found)
	}()
	select {
	case info, ok := <-found:
		if ok {
			return info
		}
		_ = cmd.Wait()
		t.Fatalf("the AWS provider exited (%v) before printing %s; its output:\n%s", cmd.ProcessState, tf.ReattachEnv, tail(logPath, 4<<10))
	case <-ctx.Done():
		t.Fatalf("the AWS provider printed no %s before the test's end; its output:\n%s", tf.ReattachEnv, tail(logPath, 4<<10))
	}
	return ""
}

// providerEnv is the process environment with the emulator's on top, without
// AWS_CA_BUNDLE: in debug mode the provider refuses a custom CA bundle ("unable to add
// custom RootCAs HTTPClient"), and the emulator is plain HTTP on loopback.
func providerEnv(inherited, emulator []string) []string {
	var env []string
	for _, kv := range append(inherited, emulator...) {
		if !strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	return env
}
