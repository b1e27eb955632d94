package stage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/jitsictl/jitsictl/internal/report"
)

// Objects is the part of the S3 client backups use.
type Objects interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Backup keeps copies of the state before a deploy: one in the state bucket (beside the
// state object, under backups/) and one in a local directory the workflow uploads.
type Backup struct {
	S3       Objects
	Bucket   string
	StateKey string
	Dir      string
	Now      func() time.Time
}

// Saved says where a backup went.
type Saved struct {
	Remote  string // s3://bucket/key
	Local   string
	Serial  int64
	Lineage string
}

// StateHeader is the part of a state document that identifies it.
type StateHeader struct {
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
}

// ReadHeader reads a state document's lineage and serial.
func ReadHeader(state []byte) (StateHeader, error) {
	var h StateHeader
	if err := json.Unmarshal(state, &h); err != nil {
		return h, fmt.Errorf("not a Terraform state document: %w", err)
	}
	if h.Lineage == "" {
		return h, errors.New("not a Terraform state document: no lineage")
	}
	return h, nil
}

// Save writes both copies. The object is written only if absent (If-None-Match), so a
// backup is never overwritten.
func (b *Backup) Save(ctx context.Context, state []byte) (Saved, error) {
	h, err := ReadHeader(state)
	if err != nil {
		return Saved{}, err
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	name := fmt.Sprintf("%s.%s.serial-%d", path.Base(b.StateKey), now().UTC().Format("20060102T150405Z"), h.Serial)
	s := Saved{Serial: h.Serial, Lineage: h.Lineage, Local: filepath.Join(b.Dir, "state-backup-"+name)}
	key := path.Join(path.Dir(b.StateKey), "backups", name)
	if _, err := b.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Bucket), Key: aws.String(key), Body: bytes.NewReader(state),
		ContentType: aws.String("application/json"), IfNoneMatch: aws.String("*"),
		ServerSideEncryption: s3types.ServerSideEncryptionAes256,
	}); err != nil {
		return s, fmt.Errorf("copy state to s3://%s/%s: %w", b.Bucket, key, err)
	}
	// 0600: a state may hold sensitive attributes; the workflow uploads it as an artifact.
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return s, err
	}
	if err := os.WriteFile(s.Local, state, 0o600); err != nil {
		return s, err
	}
	s.Remote = "s3://" + b.Bucket + "/" + key
	return s, nil
}

// ReadBackup reads a backup from a local file or an s3:// URI.
func ReadBackup(ctx context.Context, api Objects, src string) ([]byte, error) {
	rest, ok := strings.CutPrefix(src, "s3://")
	if !ok {
		return os.ReadFile(src)
	}
	bucket, key, ok := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return nil, fmt.Errorf("backup %q: use s3://bucket/key or a local file", src)
	}
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("read backup %s: %w", src, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// StateStore is the part of the Terraform runner a restore uses.
type StateStore interface {
	StatePull(ctx context.Context) ([]byte, error)
	StatePush(ctx context.Context, file string) error
}

// Restore pushes a backup as the new current state. It refuses a backup of another
// lineage (another stack's state) and one older than the current state unless force is
// set. The pushed document keeps the backup's resources and gets the current lineage and
// the next serial, which is what Terraform needs to accept it without -force.
func Restore(ctx context.Context, st StateStore, backup []byte, tmpDir string, force bool) (from, to StateHeader, err error) {
	bh, err := ReadHeader(backup)
	if err != nil {
		return bh, to, fmt.Errorf("backup: %w", err)
	}
	cur, err := st.StatePull(ctx)
	if err != nil {
		return bh, to, fmt.Errorf("read current state: %w", err)
	}
	ch, err := ReadHeader(cur)
	if err != nil {
		return bh, to, fmt.Errorf("current state: %w", err)
	}
	if bh.Lineage != ch.Lineage && !force {
		return bh, ch, fmt.Errorf("the backup belongs to another state (lineage %s, current %s): refusing; pass --force only if you know it is this stack's", bh.Lineage, ch.Lineage)
	}
	if bh.Serial < ch.Serial && !force {
		return bh, ch, fmt.Errorf("the backup (serial %d) is older than the current state (serial %d): changes made since would be forgotten; pass --force to restore it anyway", bh.Serial, ch.Serial)
	}
	var doc map[string]any
	if err := json.Unmarshal(backup, &doc); err != nil {
		return bh, ch, err
	}
	to = StateHeader{Lineage: ch.Lineage, Serial: max(ch.Serial, bh.Serial) + 1}
	doc["lineage"], doc["serial"] = to.Lineage, to.Serial
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return bh, ch, err
	}
	f, err := os.CreateTemp(tmpDir, "restore-*.tfstate")
	if err != nil {
		return bh, ch, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(out); err != nil {
		f.Close()
		return bh, ch, err
	}
	if err := f.Close(); err != nil {
		return bh, ch, err
	}
	if err := st.StatePush(ctx, f.Name()); err != nil {
		return bh, ch, fmt.Errorf("terraform state push: %w", err)
	}
	// Terraform may bump the serial again on write: report what is stored now.
	if after, err := st.StatePull(ctx); err == nil {
		if h, err := ReadHeader(after); err == nil {
			to = h
		}
	}
	return bh, to, nil
}

// RestoreFrom restores the backup at src (s3:// or a file) as the current
// state (Restore) and says what it did.
func RestoreFrom(ctx context.Context, st StateStore, api Objects, src string, force bool, rep report.Reporter) error {
	b, err := ReadBackup(ctx, api, src)
	if err != nil {
		return err
	}
	from, to, err := Restore(ctx, st, b, "", force)
	if err != nil {
		return err
	}
	rep.Infof("restored %s (serial %d) as serial %d of lineage %s", src, from.Serial, to.Serial, to.Lineage)
	return nil
}
