package cost

import (
	"testing"

	goldenfile "github.com/jitsictl/jitsictl/internal/testbed/golden"
)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) { t.Helper(); goldenfile.Check(t, name, got) }
