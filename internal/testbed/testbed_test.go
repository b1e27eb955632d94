package testbed

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jitsictl/jitsictl/internal/procs"
)

func TestMain(m *testing.M) { Main(m) }

func TestS3PathStyleAndReset(t *testing.T) {
	e := Moto(t)
	ctx := context.Background()
	c := s3.NewFromConfig(e.AWSConfig(t))
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-one")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket-one"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "v" {
		t.Fatalf("object = %q", b)
	}

	e.Reset(t)
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Buckets) != 0 {
		t.Fatalf("buckets after Reset: %d, want 0", len(list.Buckets))
	}
	if !slices.Contains(e.Env(), "AWS_ENDPOINT_URL="+e.URL) {
		t.Fatalf("Env() = %v does not point at %s", e.Env(), e.URL)
	}
}

func TestContextEndsBeforeTheBinaryDeadline(t *testing.T) {
	ctx := Context(t)
	d, ok := t.Deadline()
	if !ok {
		if _, has := ctx.Deadline(); has {
			t.Fatal("a deadline without go test -timeout")
		}
		return
	}
	got, has := ctx.Deadline()
	if !has || !got.Before(d) || got.Before(d.Add(-2*time.Minute-time.Second)) {
		t.Errorf("context deadline %v, binary deadline %v: want 30 s to 2 min before it", got, d)
	}
	for left, want := range map[time.Duration]time.Duration{time.Minute: 30 * time.Second, 25 * time.Minute: 75 * time.Second, 3 * time.Hour: 2 * time.Minute} {
		if m := cleanupMargin(left); m != want {
			t.Errorf("cleanupMargin(%v) = %v, want %v", left, m, want)
		}
	}
}

func TestCommandKillsItsWholeGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(Context(t))
	// A shell with a background grandchild, like act running jitsictl running terraform.
	cmd := Command(t, ctx, "sh", "-c", "sleep 600 & echo started; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := out.Read(make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	group := cmd.Process.Pid
	if n := len(procs.InGroup(group)); n < 2 {
		t.Fatalf("group %d has %d processes, want the shell and its sleep", group, n)
	}
	cancel()
	_ = cmd.Wait()
	for deadline := time.Now().Add(2 * time.Minute); len(procs.InGroup(group)) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after cancel, group %d still has %v", group, procs.InGroup(group))
		}
	}
}
