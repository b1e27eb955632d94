package report

import (
	"reflect"
	"strings"
	"testing"
)

func TestWrapWords(t *testing.T) {
	t.Parallel()
	got := WrapWords("one two three fourfourfourfour five", 9)
	want := []string{"one two", "three", "fourfourfourfour", "five"} // a longer word stays whole
	if !reflect.DeepEqual(got, want) {
		t.Errorf("WrapWords: %q, want %q", got, want)
	}
	if got := WrapIndented("- ", "  ", "short"); got != "- short\n" {
		t.Errorf("WrapIndented: %q", got)
	}
}

// A message is prefixed once and wrapped; cobra's tab-indented suggestions stay as they are.
func TestMessageKeepsTheMessagesOwnLines(t *testing.T) {
	got := Message("unknown command \"sesion\" for \"jitsictl\"\n\nDid you mean this?\n\tsession\n")
	want := "jitsictl: unknown command \"sesion\" for \"jitsictl\"\n\n  Did you mean this?\n\tsession\n\n"
	if got != want {
		t.Errorf("Message:\n%q\nwant\n%q", got, want)
	}
	long := Message(strings.Repeat("word ", 40))
	for _, l := range strings.Split(strings.TrimSuffix(long, "\n"), "\n") {
		if len(l) > Width {
			t.Errorf("line of %d columns: %q", len(l), l)
		}
	}
}
