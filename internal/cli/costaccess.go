package cli

import (
	"bytes"
	"fmt"
)

// accessWords says what a stack's access mode means for who can join.
var accessWords = map[string]string{
	"invite": "every participant needs a meeting link (jitsictl session open or session links)",
	"lobby":  "a moderator with a link opens the room; others join after, through its lobby when the moderator turns it on",
}

// writeAccess adds the stack's access mode to the cost report: who can use
// the bridge is part of what it costs (an open bridge bills for strangers).
func writeAccess(txt, md *bytes.Buffer, access string) {
	if access == "" {
		return
	}
	words := accessWords[access]
	if words == "" {
		words = "unknown mode"
	}
	fmt.Fprintf(txt, "\nAccess: %s (%s)\n", access, words)
	fmt.Fprintf(md, "\n**Access:** %s (%s)\n", access, words)
}
