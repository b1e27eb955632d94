package tf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"google.golang.org/protobuf/encoding/protowire"
)

// TypeSet names resource, data source and ephemeral resource types of the AWS
// provider (aws_lb, aws_ssm_parameter, ...).
type TypeSet map[string]bool

// typeWord is how every AWS provider type is spelled, in a block label or a reference.
var typeWord = regexp.MustCompile(`\baws_[a-z0-9_]+`)

// TypesNamed returns every aws_* word in the Terraform files (*.tf) under roots:
// a superset of the types their configurations declare, or name in moved, removed
// and import blocks, which is every type whose schema a command on them needs
// (a state holds only types some configuration declared).
func TypesNamed(roots ...string) (TypeSet, error) {
	set := TypeSet{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case ".terraform", ".git", "node_modules":
					return filepath.SkipDir
				}
				return nil
			}
			if filepath.Ext(path) != ".tf" {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, w := range typeWord.FindAll(b, -1) {
				set[string(w)] = true
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("collect the AWS types the configuration names: %w", err)
		}
	}
	return set, nil
}

// typeMapFields are the fields of GetProviderSchema.Response (plugin protocols 5
// and 6 agree on them) that map a type name to that type's schema.
var typeMapFields = map[protowire.Number]bool{
	2: true, // resource_schemas
	3: true, // data_source_schemas
	8: true, // ephemeral_resource_schemas
}

// trimSchema returns the provider-schema answer b with only the resource, data
// source and ephemeral resource types in keep; everything else (the provider's
// own schema, provider_meta, functions, capabilities, diagnostics) stays as it
// was, byte for byte. It also says how many types b had and how many it kept.
// Terraform decodes every type of the answer for every command, ~1.4 CPU-s for
// the AWS provider's 2,141 types on a 2-core machine, whatever the
// configuration uses.
func trimSchema(b []byte, keep TypeSet) (out []byte, kept, total int, err error) {
	out = make([]byte, 0, len(b)/16)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, 0, 0, fmt.Errorf("read the provider's schema: %w", protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, 0, 0, fmt.Errorf("read the provider's schema: field %d: %w", num, protowire.ParseError(m))
		}
		field := b[:n+m]
		b = b[n+m:]
		if typeMapFields[num] && typ == protowire.BytesType {
			entry, _ := protowire.ConsumeBytes(field[n:])
			name, err := mapKey(entry)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("read the provider's schema: field %d: %w", num, err)
			}
			total++
			if !keep[name] {
				continue
			}
			kept++
		}
		out = append(out, field...)
	}
	return out, kept, total, nil
}

// mapKey reads the key (field 1, a string) of one protobuf map entry.
func mapKey(entry []byte) (string, error) {
	for len(entry) > 0 {
		num, typ, n := protowire.ConsumeTag(entry)
		if n < 0 {
			return "", protowire.ParseError(n)
		}
		if num == 1 && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(entry[n:])
			if m < 0 {
				return "", protowire.ParseError(m)
			}
			return string(v), nil
		}
		m := protowire.ConsumeFieldValue(num, typ, entry[n:])
		if m < 0 {
			return "", protowire.ParseError(m)
		}
		entry = entry[n+m:]
	}
	return "", errors.New("a map entry without a key")
}
