// Package quiet pings a server; otelgo leaves the whole package out.
//
//otel:ignore
package quiet

import (
	"context"
	"net/http"
)

// Ping asks base for /ping.
func Ping(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/ping", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
