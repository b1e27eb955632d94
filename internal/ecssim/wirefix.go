package ecssim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// FixECSResponses returns cfg with an HTTP client that repairs one moto wire
// bug: moto writes a task's containers[].cpu and .memory as JSON numbers,
// while ECS (and the SDK's model, Container.Cpu *string) uses strings, so
// every RunTask and DescribeTasks answer fails to deserialize in Go. Only
// those fields inside "containers" arrays of ECS responses are touched, and
// only when they are numbers; a response already in the real shape passes
// through unchanged. Applying it twice is harmless.
func FixECSResponses(cfg aws.Config) aws.Config {
	next := cfg.HTTPClient
	if next == nil {
		next = http.DefaultClient
	}
	if _, ok := next.(ecsWireFix); ok {
		return cfg
	}
	cfg.HTTPClient = ecsWireFix{next: next}
	return cfg
}

type ecsWireFix struct{ next aws.HTTPClient }

const ecsTargetPrefix = "AmazonEC2ContainerServiceV20141113."

func (f ecsWireFix) Do(req *http.Request) (*http.Response, error) {
	resp, err := f.next.Do(req)
	if err != nil || !strings.HasPrefix(req.Header.Get("X-Amz-Target"), ecsTargetPrefix) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if fixed, ok := fixContainers(body); ok {
		body = fixed
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
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
