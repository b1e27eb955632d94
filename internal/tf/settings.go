package tf

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Settings say how a jitsictl command runs Terraform: the environment it
// was given (injected, so an in-process run such as a test or the demo points
// Terraform where it points the SDK), the AWS profile and region flags, where
// Terraform's output goes, and plan's --refresh=false.
type Settings struct {
	Getenv          func(string) string
	Profile, Region string
	Log             io.Writer
	WithoutRefresh  bool
}

// childEnvKeys are passed from the injected environment to Terraform.
var childEnvKeys = []string{
	"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
	PluginMirrorEnv, PluginCacheEnv, LockTimeoutEnv,
}

// Runner builds the runner for dir with these settings.
func (s Settings) Runner(ctx context.Context, dir string) (*Runner, error) {
	var env []string
	for _, k := range childEnvKeys {
		if v := s.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	if s.Profile != "" {
		env = append(env, "AWS_PROFILE="+s.Profile)
	}
	if s.Region != "" {
		env = append(env, "AWS_REGION="+s.Region)
	}
	opts := []Option{WithEnv(env), WithProgress(s.Log), WithReattach(s.Getenv(ReattachEnv))}
	if s.WithoutRefresh {
		opts = append(opts, WithoutRefresh())
	}
	if s.Getenv("AWS_ENDPOINT_URL") != "" {
		// Emulators answer path-style S3 only; on AWS the default stays. An emulator
		// has no bootstrap, so the stack creates its own IAM roles there.
		opts = append(opts, WithVars(Vars{"s3_use_path_style": true, "create_iam_roles": true}))
	}
	return New(ctx, dir, opts...)
}

// Initialised returns the backend of the root r runs in, running terraform
// init first when the root was never initialised (a fresh checkout in
// Actions), with backendConfig or dir/backend.hcl; note says so.
func Initialised(ctx context.Context, r *Runner, dir, backendConfig string, note func(format string, args ...any)) (Backend, error) {
	if be, err := ReadBackend(dir); err == nil {
		return be, nil
	} else if backendConfig, _ = BackendConfigFile(dir, backendConfig); backendConfig == "" {
		return Backend{}, fmt.Errorf("%w; pass --backend-config <file> (see terraform/backend.hcl.example)", err)
	}
	note("initialising %s with %s", dir, backendConfig)
	if err := r.Init(ctx, backendConfig); err != nil {
		return Backend{}, err
	}
	return ReadBackend(dir)
}

// LogEnv names the file Terraform's own output goes to on a terminal.
const LogEnv = "JITSICTL_TERRAFORM_LOG"

// OpenLog opens the file for Terraform's output: $JITSICTL_TERRAFORM_LOG
// (appended), else terraform.log in the user's cache directory (truncated),
// which announce names before the first write (whoever set the variable
// knows where it is). nil when no file can be opened.
func OpenLog(getenv func(string) string, announce func(path string)) io.Writer {
	path, flags := getenv(LogEnv), os.O_CREATE|os.O_WRONLY|os.O_APPEND
	chosen := path == ""
	if chosen {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		path, flags = filepath.Join(dir, "jitsictl", "terraform.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil
		}
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil
	}
	if !chosen || announce == nil {
		return f
	}
	return &announcingWriter{w: f, announce: func() { announce(path) }}
}

// Log is where Terraform's own output goes. In a job's log (toStderr: in
// Actions, not on the JSON face) it goes to stderr, folded inside the step's
// group; on a terminal it would bury the progress, so it goes to OpenLog's
// file, which announce names (failures quote Terraform's error text anyway);
// stderr when no file can be opened.
func Log(getenv func(string) string, toStderr bool, stderr io.Writer, announce func(path string)) io.Writer {
	if !toStderr {
		if f := OpenLog(getenv, announce); f != nil {
			return f
		}
	}
	return stderr
}

// announcingWriter calls announce before its first write.
type announcingWriter struct {
	w        io.Writer
	once     sync.Once
	announce func()
}

func (w *announcingWriter) Write(p []byte) (int, error) {
	w.once.Do(w.announce)
	return w.w.Write(p)
}
