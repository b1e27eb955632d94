package awsx

import "testing"

func TestNamedRegionReadsNoProfile(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		s    Settings
		want string
	}{
		{Settings{Region: "eu-west-1", Getenv: env(map[string]string{"AWS_REGION": "eu-north-1"})}, "eu-west-1"},
		{Settings{Getenv: env(map[string]string{"AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "sa-east-1"})}, "eu-north-1"},
		{Settings{Getenv: env(map[string]string{"AWS_DEFAULT_REGION": "sa-east-1"})}, "sa-east-1"},
		{Settings{Profile: "p", Getenv: env(nil)}, DefaultRegion},
		{Settings{}, DefaultRegion},
	} {
		if got := c.s.NamedRegion(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.s, got, c.want)
		}
	}
}
