package tf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// Provider is the AWS provider running in its debug mode as a process of its
// own, for Terraform commands to attach to (WithReattach, ReattachEnv)
// instead of each starting the ~700 MB provider two or three times. Measured
// on a 2-core machine, a session's targeted apply fell from about 9 to about 4
// CPU-seconds. A provider process holds one configuration, the last
// command's: give each stack its own, never one to two stacks used side by
// side.
type Provider struct {
	// Reattach is TF_REATTACH_PROVIDERS' value naming this process.
	Reattach string
	cmd      *exec.Cmd
	schemas  *schemaCache
	tmp      string // its TMPDIR
	exited   chan struct{}
}

// providerEnvKeys are what the provider reads from its own environment (not
// Terraform's): credentials, endpoint and region, and the garbage collector
// setting. AWS_CA_BUNDLE is left out: in debug mode the provider refuses a
// custom CA bundle ("unable to add custom RootCAs HTTPClient").
var providerEnvKeys = append([]string{"PATH", "HOME", "GOGC"}, childEnvKeys...)

// StartProvider starts the AWS provider that terraform init installed in dir
// with -debug and waits until it names its reattach info. It lives until Stop
// or until this process dies (procs.OwnGroup). Its own output goes to log.
// Terraform commands attached to it see only the types in serve (TypesNamed of
// every configuration they will run), or the whole schema when serve is nil: a
// command on a configuration declaring any other type fails with Terraform's
// "The provider hashicorp/aws does not support resource type".
func StartProvider(ctx context.Context, dir string, getenv func(string) string, log io.Writer, serve TypeSet) (*Provider, error) {
	bins, _ := filepath.Glob(filepath.Join(dir, ".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "*", "*", "terraform-provider-aws*"))
	if len(bins) != 1 {
		return nil, fmt.Errorf("want one AWS provider installed under %s/.terraform (run terraform init first), found %v", dir, bins)
	}
	// The provider's plugin socket lives in its TMPDIR, which a killed
	// provider cannot clean up: give it a folder of its own that Stop removes.
	tmp, err := os.MkdirTemp(getenv("TMPDIR"), "jitsictl-provider-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bins[0], "-debug")
	// Not dir: what runs in a stack's directory is terraform's (guardGroup).
	cmd.Dir = filepath.Dir(dir)
	for _, k := range providerEnvKeys {
		if v := getenv(k); v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	cmd.SysProcAttr = procs.OwnGroup()
	printed := &tailBuffer{max: 4 << 10}
	out := &syncWriter{w: io.MultiWriter(log, printed)}
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("start the AWS provider in debug mode: %w", err)
	}
	p := &Provider{cmd: cmd, tmp: tmp, exited: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			_, _ = io.WriteString(out, line+"\n")
			if _, info, ok := strings.Cut(line, ReattachEnv+"='"); ok {
				select {
				case found <- strings.TrimSuffix(strings.TrimSpace(info), "'"):
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(p.exited)
	}()
	select {
	case reattach := <-found:
		if p.schemas, p.Reattach, err = cacheSchemas(reattach, filepath.Join(tmp, "schemas.sock"), serve, out); err != nil {
			p.Stop()
			return nil, fmt.Errorf("put a schema cache in front of the AWS provider: %w", err)
		}
		return p, nil
	case <-p.exited:
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("the AWS provider exited (%v) before printing %s; its last output:\n%s", cmd.ProcessState, ReattachEnv, printed)
	case <-ctx.Done():
		p.Stop()
		return nil, fmt.Errorf("the AWS provider printed no %s (%w); its last output:\n%s", ReattachEnv, ctx.Err(), printed)
	}
}

// Stop ends the provider (its whole process group), waits until it has
// exited and removes its TMPDIR.
func (p *Provider) Stop() {
	if p.schemas != nil {
		p.schemas.Stop()
	}
	procs.EndGroup(p.cmd.Process.Pid, time.Minute)
	<-p.exited
	_ = os.RemoveAll(p.tmp)
}

// SchemaCalls says how many provider-schema calls of Terraform commands the
// provider answered (served) and how many of them it had to build (built): one
// per process, the rest come from memory (see schemaCache).
func (p *Provider) SchemaCalls() (served, built int64) {
	return p.schemas.served.Load(), p.schemas.fetched.Load()
}

// SchemaTypes says how many types the last schema answer the provider built held
// after trimming to StartProvider's serve (kept) and before (total); 0, 0 without
// serve.
func (p *Provider) SchemaTypes() (kept, total int64) {
	return p.schemas.kept.Load(), p.schemas.total.Load()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }
