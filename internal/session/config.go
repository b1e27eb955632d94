package session

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// sessionSettings is jitsictl.yaml's session section:
//
//	session:
//	  linger: true        # close keeps the NLB to the end of its paid hour
//	  linger_before: 5m   # ...and removes it this long before the hour ends
type sessionSettings struct {
	Linger       *bool  `yaml:"linger"`
	LingerBefore string `yaml:"linger_before"`
}

// ReadLingerPolicy reads the session section of the config file (jitsictl.yaml);
// a missing file or section gives the default: linger enabled. Unknown keys are errors, so
// a misspelt "linger" cannot silently leave it on.
func ReadLingerPolicy(path string) (LingerPolicy, error) {
	p := LingerPolicy{Enabled: true}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("session config: %w", err)
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(b, &top); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	node, ok := top["session"]
	if !ok {
		return p, nil
	}
	raw, err := yaml.Marshal(&node)
	if err != nil {
		return p, err
	}
	var s sessionSettings
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return p, fmt.Errorf("%s: session section: %w", path, err)
	}
	if s.Linger != nil {
		p.Enabled = *s.Linger
	}
	if s.LingerBefore != "" {
		d, err := time.ParseDuration(s.LingerBefore)
		if err != nil || d <= 0 || d >= 30*time.Minute {
			return p, fmt.Errorf("%s: session.linger_before %q: give a duration between 1m and 30m (time for the NLB's deletion to finish inside its paid hour)", path, s.LingerBefore)
		}
		p.Before = d
	}
	return p, nil
}
