package emulator

import (
	"encoding/json"
	"testing"
)

func TestFixContainersOnlyTouchesNumericContainerFields(t *testing.T) {
	t.Parallel()
	in := `{"tasks":[{"containers":[{"name":"jvb","cpu":0,"memory":512,"exitCode":0}]}],` +
		`"taskDefinition":{"containerDefinitions":[{"cpu":0,"memory":512}]}}`
	out, ok := fixContainers([]byte(in))
	if !ok {
		t.Fatal("moto's numeric container fields were not repaired")
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	c := got["tasks"].([]any)[0].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if c["cpu"] != "0" || c["memory"] != "512" || c["exitCode"] != float64(0) {
		t.Errorf("container = %v, want cpu/memory strings and exitCode a number", c)
	}
	d := got["taskDefinition"].(map[string]any)["containerDefinitions"].([]any)[0].(map[string]any)
	if d["cpu"] != float64(0) || d["memory"] != float64(512) {
		t.Errorf("container definition changed: %v", d)
	}

	// The real ECS shape passes through untouched.
	if _, ok := fixContainers([]byte(`{"tasks":[{"containers":[{"cpu":"0","memory":"512"}]}]}`)); ok {
		t.Error("a response already using strings was rewritten")
	}
}
