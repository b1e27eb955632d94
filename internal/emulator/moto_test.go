package emulator

import (
	"context"
	"net/http"
	"testing"
)

func TestStartResetStop(t *testing.T) {
	ctx := context.Background()
	m, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.ManualECSTasks(ctx); err != nil {
		t.Fatal(err)
	}
	m.Stop()
	if _, err := http.Get(m.URL + "/moto-api/data.json"); err == nil {
		t.Fatalf("moto still answers on %s after Stop", m.URL)
	}
}
