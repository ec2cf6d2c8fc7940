// ignore-function: //otel:ignore above a function and a method: each gets
// the ignore site (the hooks are off on its goroutine while it runs, see
// sites.go.j2) and none of the rules that target them (planning leaves
// them out); the function beside them keeps its rule.

package svc

import "context"

// Health answers health checks, which are noise.
//
//otel:ignore
func Health(ctx context.Context) string { return "ok" }

// Store is a store.
type Store struct{ n int }

//otel:ignore polling is noise too
func (s *Store) Poll() (int, error) {
	return s.n, nil
}

// Work is traced.
func Work(ctx context.Context, n int) int { return n * 2 }
