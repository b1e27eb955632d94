package images

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Copied is one pinned image in its destination repository.
type Copied struct {
	Pin
	To      string // destination repo:tag@digest
	Already bool   // the destination held it: nothing was uploaded
}

// Copy copies the pinned image from src, fetched by digest (never by tag, so a moved tag
// upstream cannot change what is copied), into dstRepo under the same tag. The whole
// index is copied, so the destination digest is the pin. A destination that already
// holds the digest under the tag is left alone; a tag there pointing elsewhere is an
// error (the stack's repositories are immutable).
func Copy(ctx context.Context, p Pin, src Registry, dstRepo string, dst ...remote.Option) (Copied, error) {
	out := Copied{Pin: p, To: dstRepo + ":" + p.Tag + "@" + p.Digest}
	dstOpts := append([]remote.Option{remote.WithContext(ctx)}, dst...)
	repo, err := name.NewRepository(dstRepo)
	if err != nil {
		return out, err
	}
	tag := repo.Tag(p.Tag)
	switch have, err := remote.Head(tag, dstOpts...); {
	case err == nil && have.Digest.String() == p.Digest:
		out.Already = true
		return out, nil
	case err == nil:
		return out, fmt.Errorf("%s already holds %s, not the pinned %s: its tags are immutable; pin the digest it holds or delete that image from the repository first", tag, have.Digest, p.Digest)
	case !notFound(err):
		return out, fmt.Errorf("read %s: %w", tag, err)
	}

	srcRepo, err := src.repo(p)
	if err != nil {
		return out, err
	}
	desc, err := remote.Get(srcRepo.Digest(p.Digest), append([]remote.Option{remote.WithContext(ctx)}, src.Options...)...)
	if err != nil {
		return out, src.getError(p, srcRepo, err)
	}
	if desc.Digest.String() != p.Digest {
		return out, fmt.Errorf("%s served %s for %s", srcRepo, desc.Digest, p.Digest)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return out, err
		}
		err = remote.WriteIndex(tag, idx, dstOpts...)
		if err != nil {
			return out, fmt.Errorf("copy %s to %s: %w", p.Ref(), tag, err)
		}
	} else {
		img, err := desc.Image()
		if err != nil {
			return out, err
		}
		if err := remote.Write(tag, img, dstOpts...); err != nil {
			return out, fmt.Errorf("copy %s to %s: %w", p.Ref(), tag, err)
		}
	}
	got, err := remote.Head(tag, dstOpts...)
	if err != nil {
		return out, fmt.Errorf("read back %s: %w", tag, err)
	}
	if got.Digest.String() != p.Digest {
		return out, fmt.Errorf("%s holds %s after the copy, not the pinned %s", tag, got.Digest, p.Digest)
	}
	return out, nil
}

func notFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}
