// Package shop has functions marked for spans with //otel:span comments.
package shop

import (
	"context"
	"errors"
	"strings"
)

// Quote prices an item.
//
//otel:span quote shop.currency=EUR
func Quote(ctx context.Context, item string) (int, error) {
	if item == "" {
		return 0, errors.New("no item")
	}
	return 100 * len(item), nil
}

// Cart holds items.
type Cart struct{ items []string }

// Add adds an item; it takes no context: the span's parent is the span
// current on the goroutine.
//
//otel:span
func (c *Cart) Add(item string) error {
	if strings.TrimSpace(item) == "" {
		return errors.New("blank item")
	}
	c.items = append(c.items, item)
	return nil
}

// Count counts the items matching keep.
//
//otel:span shop.count
func Count[T comparable](items []T, keep T) int {
	n := 0
	for _, it := range items {
		if it == keep {
			n++
		}
	}
	return n
}
