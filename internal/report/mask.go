package report

import (
	"strings"
	"sync"
)

// masker replaces registered secrets in text before it is written anywhere.
type masker struct {
	mu      sync.Mutex
	secrets []string
}

func (m *masker) add(s string) {
	if len(s) < 4 { // masking "a" would shred every line and hide nothing worth hiding
		return
	}
	m.mu.Lock()
	m.secrets = append(m.secrets, s)
	m.mu.Unlock()
}

func (m *masker) apply(s string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sec := range m.secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}
