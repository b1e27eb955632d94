package suggest

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"us-east-1", "us-east-1", 0}, {"us-est-1", "us-east-1", 1}, {"eu-west-1", "eu-west-2", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestNearest(t *testing.T) {
	t.Parallel()
	names := []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
	got := Nearest("eu-wst-1", names, 2)
	if len(got) != 2 || got[0] != "eu-west-1" || Distance("eu-wst-1", got[1]) > Distance("eu-wst-1", "eu-central-1") {
		t.Fatalf("Nearest = %v", got)
	}
	// Ties keep the candidates' order.
	if got := Nearest("zz", []string{"ab", "cd"}, 2); !slices.Equal(got, []string{"ab", "cd"}) {
		t.Fatalf("ties reordered: %v", got)
	}
	if got := Nearest("x", names, 10); len(got) != 4 {
		t.Fatalf("n larger than the list: %v", got)
	}
}
