package ecssim

import (
	"context"
	"testing"
	"time"

	"github.com/jitsictl/jitsictl/internal/emulator"
)

// SetManualTasks sets moto's ECS task transitions to manual on the server at url.
func SetManualTasks(t testing.TB, url string) {
	t.Helper()
	if err := setManualTasks(url); err != nil {
		t.Fatal(err)
	}
}

func setManualTasks(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // one call; bounds a hung moto
	defer cancel()
	return emulator.ManualECSTasks(ctx, url)
}
