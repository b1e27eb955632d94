package stage

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// localStack is a real Terraform root with local state and only built-in resources
// (terraform_data), so state pull and push run for real without any provider.
func localStack(t *testing.T, input string) *tf.Runner {
	t.Helper()
	dir := t.TempDir()
	conf := "variable \"v\" {\n  type = string\n}\n\nresource \"terraform_data\" \"x\" {\n  input = var.v\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := tf.New(ctx, dir)
	if err != nil {
		t.Fatalf("%v (install terraform >= 1.11)", err)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, tf.Vars{"v": input}, nil); err != nil {
		t.Fatal(err)
	}
	return r
}

func pull(t *testing.T, r *tf.Runner) ([]byte, StateHeader) {
	t.Helper()
	b, err := r.StatePull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	return b, h
}

func inputOf(t *testing.T, state []byte) string {
	t.Helper()
	var s struct {
		Resources []struct {
			Instances []struct {
				Attributes struct {
					Input struct {
						Value string `json:"value"`
					} `json:"input"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(state, &s); err != nil || len(s.Resources) != 1 {
		t.Fatalf("state: %v", err)
	}
	return s.Resources[0].Instances[0].Attributes.Input.Value
}

func TestRestoreChecksLineageAndSerial(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := localStack(t, "one")
	backup, bh := pull(t, r)
	if err := r.Apply(ctx, tf.Vars{"v": "two"}, nil); err != nil {
		t.Fatal(err)
	}
	_, now := pull(t, r)
	if now.Serial <= bh.Serial {
		t.Fatalf("serial did not move: %d -> %d", bh.Serial, now.Serial)
	}

	// Older than the current state: refused, state untouched.
	if _, _, err := Restore(ctx, r, backup, t.TempDir(), false); err == nil || !strings.Contains(err.Error(), "older than the current state") {
		t.Fatalf("older backup: %v", err)
	}
	if cur, _ := pull(t, r); inputOf(t, cur) != "two" {
		t.Fatal("a refused restore changed the state")
	}

	// Another stack's state: refused.
	other, _ := pull(t, localStack(t, "other"))
	if _, _, err := Restore(ctx, r, other, t.TempDir(), false); err == nil || !strings.Contains(err.Error(), "another state") {
		t.Fatalf("other lineage: %v", err)
	}

	// Forced: the backup's resources come back under the current lineage, at a new serial.
	from, to, err := Restore(ctx, r, backup, t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	cur, ch := pull(t, r)
	if inputOf(t, cur) != "one" || ch.Lineage != now.Lineage || ch.Serial != to.Serial || to.Serial <= now.Serial || from.Serial != bh.Serial {
		t.Errorf("after restore: input %q, header %+v (was %+v), to %+v", inputOf(t, cur), ch, now, to)
	}
	// A plan with the backup's input now has nothing to do: the state really is the backup's.
	if changed, err := r.Plan(ctx, tf.Vars{"v": "one"}, nil, ""); err != nil || changed {
		t.Errorf("plan after restore: changed %v, %v", changed, err)
	}
}

func TestReadHeaderRejectsNonState(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "{}", `{"serial": 3}`, "not json"} {
		if _, err := ReadHeader([]byte(doc)); err == nil {
			t.Errorf("%q read as a state", doc)
		}
	}
}

// Backups land in the state bucket beside the state object and are never overwritten.
func TestBackupSavesBothCopiesOnMoto(t *testing.T) {
	emu := testbed.Moto(t)
	ctx := context.Background()
	api := s3.NewFromConfig(emu.AWSConfig(t))
	if _, err := api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("state")}); err != nil {
		t.Fatal(err)
	}
	state := []byte(`{"version":4,"serial":41,"lineage":"abc","resources":[]}`)
	at := time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)
	b := &Backup{S3: api, Bucket: "state", StateKey: "jitsi/terraform.tfstate", Dir: t.TempDir(), Now: func() time.Time { return at }}
	saved, err := b.Save(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s3://state/jitsi/backups/terraform.tfstate.20261127T101500Z.serial-41"; saved.Remote != want || saved.Serial != 41 {
		t.Errorf("saved %+v, want remote %s", saved, want)
	}
	for _, src := range []string{saved.Remote, saved.Local} {
		got, err := ReadBackup(ctx, api, src)
		if err != nil || !bytes.Equal(got, state) {
			t.Errorf("read back %s: %v", src, err)
		}
	}
	if st, err := os.Stat(saved.Local); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("local backup %v %v: want mode 0600 (state may hold sensitive attributes)", st, err)
	}
	// Same second, same serial: the existing backup is kept, the write refused.
	if _, err := b.Save(ctx, []byte(`{"version":4,"serial":41,"lineage":"abc","resources":[1]}`)); err == nil {
		t.Error("a second backup under the same name overwrote the first")
	}
	if got, _ := ReadBackup(ctx, api, saved.Remote); !bytes.Equal(got, state) {
		t.Error("the first backup was overwritten")
	}
}

func TestNoStateYet(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]bool{
		"":                         true,
		"  \n":                     true,
		`{"version":4,"serial":0}`: true,
		`{"version":4,"lineage":"x","resources":[]}`:     false,
		`{"version":4,"resources":[{"type":"aws_vpc"}]}`: false,
		`not json`: false,
	} {
		if got := noStateYet([]byte(doc)); got != want {
			t.Errorf("noStateYet(%q) = %v, want %v", doc, got, want)
		}
	}
}
