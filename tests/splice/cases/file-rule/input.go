// file-rule: a file rule adds a Go file beside the package's own files
// (added.golden); it may import only what the package imports already. Here
// a raw rule calls the function that the added file declares.

package cache

import "sync"

// Cache is a map safe for concurrent use.
type Cache struct {
	mu sync.Mutex
	m  map[string]string
}

// Get returns the value of key.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}
