package report

import (
	"reflect"
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
