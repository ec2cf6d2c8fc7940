// aliased-import: the trampolines file spells the parameters' types as this
// file does, so it imports context as stdctx, and math/rand/v2 under its
// package name rand. fmt, used only in the body, is not imported there.

package fetch

import (
	stdctx "context"
	"fmt"
	"math/rand/v2"
	"net/http"
)

// Get fetches url with a random nonce.
func Get(ctx stdctx.Context, c *http.Client, r *rand.Rand, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s?nonce=%d", url, r.Uint64()), nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}
