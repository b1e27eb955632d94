package plan

import (
	"encoding/base64"
	"strings"
	"testing"
)

// The secrets fixture (testdata/plans/secrets) copies three sensitive variables through
// nonsensitive() into unmarked attributes of a replaced resource and into outputs, each in
// another encoding. Every copy must read (sensitive) on both sides; the values that only
// share short strings with a sensitive object ("true", "8443", "admin") must stay readable.
func TestSecretCopiesScrubbedInEveryEncoding(t *testing.T) {
	t.Parallel()
	s := Summarize(load(t, "secrets.json"))
	var copied *ResourceChange
	for i := range s.Changes {
		if s.Changes[i].Address == "terraform_data.copied" {
			copied = &s.Changes[i]
		}
	}
	if copied == nil || copied.Action != Replace {
		t.Fatalf("fixture lost its replaced resource: %+v", s.Changes)
	}
	attrs := map[string]AttrChange{}
	for _, a := range copied.Attrs {
		attrs[a.Path] = a
	}
	outs := map[string]OutputChange{}
	for _, o := range s.Outputs {
		outs[o.Name] = o
	}
	hidden := string(Sensitive)
	for _, tc := range []struct{ form, attr, output string }{
		{"raw", "input.raw", "raw"},
		{"JSON-escaped quote and backslash", "input.escaped", "escaped"},
		{"JSON-escaped newlines (a whole PEM key)", "input.pem", ""},
		{"one line of a PEM key", "input.pem_line", "pem_line"},
		{"JSON document inside a string", "input.json_doc", "json_doc"},
		{"base64, aligned", "input.b64", ""},
		{"base64, at an offset", "input.b64_inner", "b64"},
	} {
		if a, ok := attrs[tc.attr]; !ok || a.Before != hidden || a.After != hidden {
			t.Errorf("%s: attribute %s of the replace = %q → %q, want %s on both sides", tc.form, tc.attr, a.Before, a.After, hidden)
		}
		if tc.output == "" {
			continue
		}
		if o, ok := outs[tc.output]; !ok || o.Before != hidden || o.After != hidden {
			t.Errorf("%s: output %s = %q → %q, want %s on both sides", tc.form, tc.output, o.Before, o.After, hidden)
		}
	}
	if a := attrs["input.note"]; a.Before != `"phase 1: admin enabled=true on port 8443"` || a.After != `"phase 2: admin enabled=true on port 8443"` {
		t.Errorf("short sensitive values blanked an unrelated attribute: %q → %q", a.Before, a.After)
	}
	if o := outs["note"]; o.Before != `"phase 1: port 8443, tls enabled=true"` || o.After != `"phase 2: port 8443, tls enabled=true"` {
		t.Errorf("short sensitive values blanked an unrelated output: %q → %q", o.Before, o.After)
	}
	if a := attrs["triggers_replace"]; a.After != `"phase-2"` {
		t.Errorf("triggers_replace = %+v, want it readable", a)
	}
}

// The scrubbing rules one by one, on values built here.
func TestScrubberForms(t *testing.T) {
	t.Parallel()
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nAw==\n-----END PRIVATE KEY-----\n"
	sc := newScrubber([]string{pem, `pa"ss\word<&>`, "s3cr3t-token", "admin", "true", "8443", "1", "abc"})
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	hide := map[string]string{
		"raw":                   `"prefix s3cr3t-token suffix"`,
		"whole PEM, escaped":    FormatValue("x" + pem),
		"one PEM line":          FormatValue("line MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 only"),
		"quote and backslash":   FormatValue(`a pa"ss\word<&> b`),
		"jsonencode in string":  FormatValue(FormatValue(map[string]any{"p": `pa"ss\word<&>`})),
		"jsonencode, HTML-safe": FormatValue(`{"p":"pa\"ss\\word\u003c\u0026\u003e"}`),
		"base64 aligned":        FormatValue(b64("s3cr3t-token")),
		"base64 offset 1":       FormatValue(b64("x" + "s3cr3t-token" + "y")),
		"base64 offset 2":       FormatValue(b64("xy" + "s3cr3t-token")),
		"base64url":             FormatValue(base64.URLEncoding.EncodeToString([]byte("??" + pem))),
		"short, exact value":    `"admin"`,
		"short, raw leaf":       "admin",
	}
	for form, v := range hide {
		if got := sc.scrub(v); got != string(Sensitive) {
			t.Errorf("%s: %s not hidden", form, v)
		}
	}
	keep := map[string]string{
		"short secret inside text":  `"administrator admin panel"`,
		"bool-looking secret":       `"true"`,
		"number-looking secret":     `"8443"`,
		"tiny secret":               `"1"`,
		"3-character secret":        `"abc"`,
		"short PEM line":            `"Aw=="`,
		"PEM armour line":           `"-----END PRIVATE KEY-----"`,
		"structure with a short":    `{"user":"admin"}`,
		"unrelated base64":          FormatValue(b64("nothing to see here")),
		"short line of a secret in": `"Aw== is base64 padding"`,
	}
	for what, v := range keep {
		if got := sc.scrub(v); got != v {
			t.Errorf("%s: %s was blanked", what, v)
		}
	}
	if strings.Contains(FormatValue(sc.scrubTree(map[string]any{"a": "has s3cr3t-token", "b": "admin", "c": "ok"})), "s3cr3t") {
		t.Error("scrubTree left a secret")
	}
}
