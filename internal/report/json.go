package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// jsonFace keeps stdout for one machine-readable document; progress goes to stderr.
type jsonFace struct {
	*text
	mu      sync.Mutex
	stdout  io.Writer
	outputs map[string]string
	result  any
}

func newJSON(o Options) *jsonFace {
	t := newText(o)
	t.out = o.Stderr
	t.tty = false
	return &jsonFace{text: t, stdout: o.Stdout, outputs: map[string]string{}}
}

func (j *jsonFace) Output(name, value string) {
	j.mu.Lock()
	j.outputs[name] = j.mask.apply(value)
	j.mu.Unlock()
}

func (j *jsonFace) Result(v any) {
	j.mu.Lock()
	j.result = v
	j.mu.Unlock()
}

func (j *jsonFace) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var doc any = j.outputs
	if j.result != nil {
		doc = j.result
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON result: %w", err)
	}
	_, err = io.WriteString(j.stdout, j.mask.apply(string(b))+"\n")
	return err
}
