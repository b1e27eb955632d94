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

// Errorf writes the error as one JSON object on stderr, so a script reading
// the JSON face never has to parse prose.
func (j *jsonFace) Errorf(format string, args ...any) {
	j.text.mu.Lock()
	defer j.text.mu.Unlock()
	WriteJSONError(j.text.err, j.mask.apply(fmt.Sprintf(format, args...)), "", 0)
}

// WriteJSONError writes {"error": ..., "hint": ..., "exit_code": ...} as one
// line (hint and exit code left out when empty).
func WriteJSONError(w io.Writer, msg, hint string, exitCode int) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "<file>" stays readable
	_ = enc.Encode(struct {
		Error    string `json:"error"`
		Hint     string `json:"hint,omitempty"`
		ExitCode int    `json:"exit_code,omitempty"`
	}{msg, hint, exitCode})
}

// Close prints the result document; a command that failed before it had
// anything to say prints nothing on stdout (its error is on stderr).
func (j *jsonFace) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.result == nil && len(j.outputs) == 0 {
		return nil
	}
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
