package ecssim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Moto is one moto_server on loopback, owned by a test binary. It stands in
// for internal/testbed until that package lands; the API mirrors it (URL,
// Reset, AWSConfig, ManualECSTasks) so the switch is a rename.
type Moto struct {
	URL string
	cmd *exec.Cmd
}

// StartMoto launches moto_server on a free loopback port and waits until it
// answers. Call it from TestMain and Close it when m.Run returns.
func StartMoto() (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New("moto_server not found on PATH: install it with `pip install 'moto[server]==5.2.1'` (CI installs it)")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("moto_server exited before answering on port %d: %v", port, err)
		default:
		}
		resp, err := http.Get(m.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("moto_server on port %d did not answer within 60s", port)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Close stops the server this Moto started (and nothing else).
func (m *Moto) Close() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = m.cmd.Process.Signal(os.Interrupt)
	time.Sleep(100 * time.Millisecond)
	_ = m.cmd.Process.Kill()
}

// Reset wipes every resource, so each test starts from an empty account.
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	m.post(t, "/moto-api/reset", nil)
}

// ManualECSTasks stops moto from walking tasks RUNNING→STOPPED on each
// DescribeTasks: with it, a task changes state only when someone stops it.
func (m *Moto) ManualECSTasks(t testing.TB) {
	t.Helper()
	SetManualTasks(t, m.URL)
}

// AWSConfig is a client configuration aimed at this server with dummy keys
// and the ECS wire repair (see FixECSResponses).
func (m *Moto) AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	return FixECSResponses(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(m.URL),
	})
}

func (m *Moto) post(t testing.TB, path string, body []byte) {
	t.Helper()
	post(t, m.URL+path, body)
}

// SetManualTasks sets moto's ECS task transitions to manual on the server at url.
func SetManualTasks(t testing.TB, url string) {
	t.Helper()
	post(t, url+"/moto-api/state-manager/set-transition",
		[]byte(`{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000}}`))
}

func post(t testing.TB, url string, body []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}
