package testbed

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
