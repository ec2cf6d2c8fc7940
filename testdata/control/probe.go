// Probes are left out of tracing, the whole file.

//otel:ignore

package main

import "context"

func probe(ctx context.Context) error {
	return get(ctx, "/probe")
}
