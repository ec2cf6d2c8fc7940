// pooled-calls: a package that imports sync (its compile's -importcfg has
// it) keeps the calls of its non-generic targets in a sync.Pool, imported
// by the trampolines under a name of their own; a generic target's calls are
// allocated as elsewhere.

package counter

import "sync"

// Counter counts under a lock.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Add adds d and returns the new count.
func (c *Counter) Add(d int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += d
	return c.n
}

// First returns the first element of s, or the zero value.
func First[T any](s []T) (v T) {
	if len(s) > 0 {
		v = s[0]
	}
	return v
}
