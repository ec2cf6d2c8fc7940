// Package stock uses Go 1.26's new(expr), which tree-sitter-go reads as a
// syntax error, inside a function marked for a span.
package stock

import "context"

// Level is the stock of an item.
//
//otel:span
func Level(ctx context.Context, item string) *int {
	if item == "" {
		return nil
	}
	return new(len(item) * 10)
}
