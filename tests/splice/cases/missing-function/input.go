// missing-function: rules whose function or type the package does not have
// are reported (missing.golden), the others applied. A receiver is matched as
// the method declares it: Add is a method of *Cart, not of Cart.

package shop

// Cart holds items.
type Cart struct{ items []string }

// Add adds an item.
func (c *Cart) Add(item string) { c.items = append(c.items, item) }

// Total counts the items.
func Total(c *Cart) int { return len(c.items) }
