package stack

import (
	"context"
	"testing"

	"github.com/jitsictl/jitsictl/internal/testbed"
	"github.com/jitsictl/jitsictl/internal/tf"
)

// terraform fmt -check -recursive and terraform validate, without any AWS.
func TestStackFormattedAndValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A copy: New writes its CLI config under .terraform and init fills it; the
	// repository's own directory stays untouched.
	work := testbed.CopyStack(t)
	r, err := tf.New(ctx, work)
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.UnformattedFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("terraform fmt would change %v: run terraform fmt -recursive terraform", files)
	}
	if err := r.Init(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(ctx); err != nil {
		t.Error(err)
	}
}
