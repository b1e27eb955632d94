package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// moto writes a task's containers[].cpu and .memory as JSON numbers, while
// ECS (and the SDK's model, Container.Cpu *string) uses strings, so every
// RunTask and DescribeTasks answer fails to deserialize in Go. Only those
// fields inside "containers" arrays of ECS responses are touched, and only
// when they are numbers; an answer already in the real shape passes through.

const ecsTargetPrefix = "AmazonEC2ContainerServiceV20141113."

func isECS(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), ecsTargetPrefix)
}

func fixContainers(body []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if !walk(v) {
		return nil, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return out, true
}

// walk stringifies numeric cpu/memory/memoryReservation of objects inside any
// "containers" array and reports whether it changed anything.
func walk(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if k == "containers" {
				if list, ok := child.([]any); ok {
					for _, c := range list {
						if obj, ok := c.(map[string]any); ok {
							for _, field := range []string{"cpu", "memory", "memoryReservation"} {
								if n, ok := obj[field].(json.Number); ok {
									obj[field] = n.String()
									changed = true
								}
							}
						}
					}
				}
			}
			if walk(child) {
				changed = true
			}
		}
	case []any:
		for _, c := range x {
			if walk(c) {
				changed = true
			}
		}
	}
	return changed
}
