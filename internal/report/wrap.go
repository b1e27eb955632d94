package report

import (
	"strings"
	"unicode/utf8"
)

// Width is the widest line jitsictl prints on a terminal.
const Width = 100

// WrapWords breaks s into lines of at most width runes (a longer word stays whole).
func WrapWords(s string, width int) []string {
	lines := []string{""}
	for _, w := range strings.Fields(s) {
		last := &lines[len(lines)-1]
		switch {
		case *last == "":
			*last = w
		case utf8.RuneCountInString(*last)+1+utf8.RuneCountInString(w) <= width:
			*last += " " + w
		default:
			lines = append(lines, w)
		}
	}
	return lines
}

// WrapIndented wraps s to Width columns after first, continuing under indent.
func WrapIndented(first, indent, s string) string {
	var b strings.Builder
	for i, l := range WrapWords(s, Width-len(first)) {
		if i == 0 {
			b.WriteString(first + l + "\n")
		} else {
			b.WriteString(indent + l + "\n")
		}
	}
	return b.String()
}

// Message is "jitsictl: msg" for a terminal, wrapped to Width columns; lines
// the message breaks itself (cobra's suggestions, tab-indented) are kept.
func Message(msg string) string {
	var b strings.Builder
	for i, para := range strings.Split(msg, "\n") {
		first := "  "
		if i == 0 {
			first = "jitsictl: "
		}
		if strings.TrimSpace(para) == "" || strings.HasPrefix(para, "\t") {
			b.WriteString(para + "\n")
			continue
		}
		b.WriteString(WrapIndented(first, "  ", para))
	}
	return b.String()
}
