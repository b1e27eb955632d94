package tf

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// entry is one map<string, Schema> entry: key (1) and an opaque value (2).
func entry(key string, value []byte) []byte {
	var e []byte
	e = protowire.AppendTag(e, 1, protowire.BytesType)
	e = protowire.AppendString(e, key)
	e = protowire.AppendTag(e, 2, protowire.BytesType)
	return protowire.AppendBytes(e, value)
}

func field(num protowire.Number, value []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, value)
}

func TestTrimSchemaKeepsOnlyNamedTypes(t *testing.T) {
	provider := field(1, []byte("provider block"))
	functions := field(7, entry("arn_parse", []byte("function")))
	capabilities := field(6, []byte{0x08, 0x01})
	// A varint field the trimmer does not know passes through too.
	unknown := protowire.AppendVarint(protowire.AppendTag(nil, 15, protowire.VarintType), 300)

	var in, want []byte
	add := func(b []byte, kept bool) {
		in = append(in, b...)
		if kept {
			want = append(want, b...)
		}
	}
	add(provider, true)
	add(field(2, entry("aws_lb", []byte("lb schema"))), true)
	add(field(2, entry("aws_apprunner_service", []byte("unused"))), false)
	add(field(3, entry("aws_region", []byte("data schema"))), true)
	add(field(3, entry("aws_ami", []byte("unused data"))), false)
	add(functions, true)
	add(capabilities, true)
	add(field(8, entry("aws_secretsmanager_secret_version", []byte("ephemeral"))), false)
	add(unknown, true)

	out, kept, total, err := trimSchema(in, TypeSet{"aws_lb": true, "aws_region": true, "aws_not_in_schema": true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("trimmed answer:\n%x\nwant\n%x", out, want)
	}
	if kept != 2 || total != 5 {
		t.Errorf("kept %d of %d types, want 2 of 5", kept, total)
	}

	if _, _, _, err := trimSchema(append(in, 0x12, 0x7f), nil); err == nil {
		t.Error("a truncated answer trimmed without an error")
	}
	if _, _, _, err := trimSchema(field(2, field(2, []byte("no key"))), nil); err == nil {
		t.Error("a map entry without a key trimmed without an error")
	}
}

func TestTypesNamedReadsEveryTerraformFile(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", "resource \"aws_lb\" \"this\" {\n  subnets = data.aws_subnets.all.ids\n}\n")
	write("modules/m/main.tf", "removed {\n  from = aws_eip.old\n}\n")
	write("notes.md", "aws_not_terraform")
	write(".terraform/modules/x/main.tf", "resource \"aws_cached\" \"x\" {}\n")
	got, err := TypesNamed(root)
	if err != nil {
		t.Fatal(err)
	}
	want := TypeSet{"aws_lb": true, "aws_subnets": true, "aws_eip": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TypesNamed = %v, want %v", got, want)
	}
	if _, err := TypesNamed(filepath.Join(root, "missing")); err == nil {
		t.Error("a missing root gave no error")
	}
}
