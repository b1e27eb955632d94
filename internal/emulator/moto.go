// Package emulator runs moto_server, the AWS API emulator, on a loopback port.
// The demo uses it to show a whole session without an AWS account, and the
// test bed uses the same code, so what the demo does is what the tests check.
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jitsictl/jitsictl/internal/procs"
)

// Moto is a running moto_server.
type Moto struct {
	URL  string
	cmd  *exec.Cmd
	logs bytes.Buffer
	done chan struct{}
}

// InstallHint is the one message a user gets when moto is missing.
const InstallHint = "moto_server not found on PATH: install the AWS emulator with `pip install 'moto[server]==5.2.1'`"

// Option changes how moto is started.
type Option func(*exec.Cmd)

// WithEnv adds environment variables for moto itself, e.g.
// INITIAL_NO_AUTH_ACTION_COUNT=0 to make it enforce IAM policies.
func WithEnv(kv ...string) Option {
	return func(c *exec.Cmd) { c.Env = append(c.Env, kv...) }
}

// startLimit bounds the wait for moto to answer when ctx has no deadline of
// its own. moto takes ~10 s to start alone and minutes on a loaded machine:
// the limit is for a moto that will never answer, not for a slow one.
const startLimit = 5 * time.Minute

// Start launches moto_server on a free loopback port and waits until it
// answers, until ctx ends (or startLimit, when ctx has no deadline).
func Start(ctx context.Context, opts ...Option) (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New(InstallHint)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
	m.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	m.cmd.Stdout, m.cmd.Stderr = &m.logs, &m.logs
	m.cmd.Env = os.Environ()
	for _, o := range opts {
		o(m.cmd)
	}
	// Its own process group, so Stop also ends the workers it forks.
	m.cmd.SysProcAttr = procs.OwnGroup()
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	go func() { _ = m.cmd.Wait(); close(m.done) }()
	wait, limit := ctx, startLimit
	if d, ok := ctx.Deadline(); ok {
		limit = time.Until(d).Round(time.Second)
	} else {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, startLimit)
		defer cancel()
	}
	for {
		if err := m.ping(wait); err == nil {
			return m, nil
		}
		select {
		case <-m.done:
			return nil, fmt.Errorf("moto_server exited during start: %s", lastLines(m.logs.String()))
		case <-wait.Done():
			m.Stop()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("moto_server did not answer on %s within %s: %s", m.URL, limit, lastLines(m.logs.String()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (m *Moto) ping(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/moto-api/data.json", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto answered %s", resp.Status)
	}
	return nil
}

// Stop ends moto and every process it started.
func (m *Moto) Stop() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
}

// Reset forgets every resource (between tests).
func (m *Moto) Reset(ctx context.Context) error { return m.post(ctx, "/moto-api/reset", "") }

// ManualECSTasks stops moto from walking tasks RUNNING→STOPPED on each describe:
// with it, a task stays in the state RunTask/StopTask put it in, as on ECS.
func (m *Moto) ManualECSTasks(ctx context.Context) error { return ManualECSTasks(ctx, m.URL) }

// ManualECSTasks is the same for a moto (or a proxy in front of it) at url.
func ManualECSTasks(ctx context.Context, url string) error {
	return post(ctx, url, "/moto-api/state-manager/set-transition",
		`{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000}}`)
}

func (m *Moto) post(ctx context.Context, path, body string) error {
	return post(ctx, m.URL, path, body)
}

func post(ctx context.Context, base, path, body string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("moto %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("moto %s: %s: %s", path, resp.Status, b)
	}
	return nil
}

// Env is the environment that points the AWS SDK, the AWS CLI and
// Terraform's provider and S3 backend at this emulator.
func (m *Moto) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + m.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_PROFILE=",
		"AWS_EC2_METADATA_DISABLED=true",
		// The emulated stack pins no images and has no registry to check them in;
		// jitsictl honours this only with AWS_ENDPOINT_URL set (internal/cli/images.go).
		"JITSICTL_IMAGE_CHECK=skip",
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string) string {
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return s
}

// Faithful is moto behind the fidelity proxy (proxy.go): what jitsictl, its
// tests and its demo talk to.
type Faithful struct {
	*Moto
	// URL is what clients use (AWS_ENDPOINT_URL): the proxy in front of moto.
	URL   string
	proxy *proxy
}

// StartFaithful starts moto and the proxy in front of it.
func StartFaithful(ctx context.Context, opts ...Option) (*Faithful, error) {
	m, err := Start(ctx, opts...)
	if err != nil {
		return nil, err
	}
	p, err := startProxy(m.URL)
	if err != nil {
		m.Stop()
		return nil, fmt.Errorf("start the moto proxy: %w", err)
	}
	return &Faithful{Moto: m, URL: p.URL, proxy: p}, nil
}

// Stop ends the proxy and moto.
func (f *Faithful) Stop() {
	f.proxy.close()
	f.Moto.Stop()
}

// Reset forgets every resource in moto and what the proxy remembered.
func (f *Faithful) Reset(ctx context.Context) error { return post(ctx, f.URL, "/moto-api/reset", "") }

// ManualECSTasks: see Moto.ManualECSTasks.
func (f *Faithful) ManualECSTasks(ctx context.Context) error { return ManualECSTasks(ctx, f.URL) }

// Env points clients at the proxy.
func (f *Faithful) Env() []string {
	env := f.Moto.Env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			env[i] = "AWS_ENDPOINT_URL=" + f.URL
		}
	}
	return env
}
