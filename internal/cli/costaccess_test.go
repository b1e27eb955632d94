package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestCostSaysWhichAccessModeIsActive(t *testing.T) {
	for mode, want := range map[string]string{"invite": "every participant needs a meeting link", "lobby": "through its lobby"} {
		var txt, md bytes.Buffer
		writeAccess(&txt, &md, mode)
		if !strings.Contains(txt.String(), "Access: "+mode) || !strings.Contains(txt.String(), want) || !strings.Contains(md.String(), "**Access:** "+mode) {
			t.Errorf("%s: text %q, markdown %q", mode, txt.String(), md.String())
		}
	}
	var txt, md bytes.Buffer
	writeAccess(&txt, &md, "")
	if txt.Len()+md.Len() != 0 {
		t.Errorf("an estimate without a stack names an access mode: %q", txt.String())
	}
}
