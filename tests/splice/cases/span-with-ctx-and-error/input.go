// span-with-ctx-and-error: a span rule with SpanName and Attributes (sorted
// by key). The span is a child of the span in ctx, and the body runs with the
// span's context; the last result, an error, ends the span as failed.

package repo

import (
	"context"
	"errors"
)

// ErrNotFound is returned for unknown ids.
var ErrNotFound = errors.New("repo: not found")

// Find looks an id up.
func Find(ctx context.Context, id int) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if id != 1 {
		return "", ErrNotFound
	}
	return "one", nil
}
