package tf

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// DefaultLockTimeout is how long a terraform command waits for a state lock
// another run holds: long enough for a session step or a short deploy to
// finish, short enough that a lock nobody will release is reported soon.
const DefaultLockTimeout = 5 * time.Minute

// LockTimeoutEnv overrides DefaultLockTimeout (a Go duration, e.g. "90s").
const LockTimeoutEnv = "JITSICTL_TF_LOCK_TIMEOUT"

func lockTimeout(set time.Duration, getenv func(string) string) (time.Duration, error) {
	if set > 0 {
		return set, nil
	}
	v := getenv(LockTimeoutEnv)
	if v == "" {
		return DefaultLockTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("%s=%q: give a duration of at least 1s, e.g. 5m", LockTimeoutEnv, v)
	}
	return d, nil
}

// LockTimeout is the wait every locking command of this runner allows.
func (r *Runner) LockTimeout() string { return r.lockTimeout }

// ForceUnlock removes the state lock with this ID (terraform force-unlock
// -force). Only call it for a lock whose holder is known to be dead.
func (r *Runner) ForceUnlock(ctx context.Context, id string) error {
	if err := r.tf.ForceUnlock(ctx, id); err != nil {
		return fmt.Errorf("terraform force-unlock %s in %s: %w", id, r.dir, err)
	}
	return nil
}

// ForceUnlockCommand is the command a person runs to remove the lock by hand.
func (r *Runner) ForceUnlockCommand(id string) string {
	return fmt.Sprintf("terraform -chdir=%s force-unlock -force %s", r.dir, id)
}

// syncWriter serialises writes from several goroutines to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
