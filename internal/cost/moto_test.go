package cost

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// One moto_server serves the whole package run (it takes ~10 s to start);
// tests keep apart by using their own resource names. internal/testbed did
// not exist when this was written; move to it once it does.
var motoServer struct {
	once sync.Once
	url  string
	err  error
	cmd  *exec.Cmd
}

func TestMain(m *testing.M) {
	code := m.Run()
	if c := motoServer.cmd; c != nil {
		// moto_server was started in its own process group; end that group only.
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
		_, _ = c.Process.Wait()
	}
	os.Exit(code)
}

// moto returns the URL of a running moto_server on loopback.
func moto(t *testing.T) string {
	t.Helper()
	motoServer.once.Do(func() {
		bin, err := exec.LookPath("moto_server")
		if err != nil {
			motoServer.err = fmt.Errorf("moto_server not found on PATH: install it with `pip install 'moto[server]==5.2.1'`")
			return
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			motoServer.err = err
			return
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			motoServer.err = fmt.Errorf("starting moto_server: %w", err)
			return
		}
		motoServer.cmd = cmd
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			resp, err := http.Get(url + "/moto-api/data.json")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					motoServer.url = url
					return
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		motoServer.err = fmt.Errorf("moto_server on %s did not answer within 60 s", url)
	})
	if motoServer.err != nil {
		t.Fatal(motoServer.err)
	}
	return motoServer.url
}

// awsConfig points the SDK at moto with dummy credentials.
func awsConfig(t *testing.T) aws.Config {
	url := moto(t)
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(url),
	}
}
