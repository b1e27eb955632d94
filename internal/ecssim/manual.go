package ecssim

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

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
