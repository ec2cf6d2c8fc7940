// Package pricing asks the price list service for prices.
package pricing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PriceListURL is where the price list service listens.
var PriceListURL = "http://127.0.0.1:9090"

// ErrUnknownItem is returned for an item the price list does not have.
var ErrUnknownItem = errors.New("unknown item")

// Quote returns the price of item in cents.
func Quote(ctx context.Context, item string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		PriceListURL+"/prices/"+url.PathEscape(item), nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return 0, fmt.Errorf("%w: %q", ErrUnknownItem, item)
	default:
		return 0, fmt.Errorf("price list: %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(body)))
}
