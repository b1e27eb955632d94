package ecssim

import (
	"context"
	"time"

	"github.com/jitsictl/jitsictl/internal/emulator"
)

// setManualTasks sets moto's ECS task transitions to manual on the server at url.
func setManualTasks(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // one call; bounds a hung moto
	defer cancel()
	return emulator.ManualECSTasks(ctx, url)
}
