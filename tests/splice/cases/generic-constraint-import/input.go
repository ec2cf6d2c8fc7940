// generic-constraint-import: the type parameter's constraint, taken from
// the type's declaration, names package fmt: the trampolines file imports
// fmt, with the packages of the method's signature.

package named

import "fmt"

// List is a list of things that have names.
type List[T fmt.Stringer] struct{ items []T }

// Add appends v.
func (l *List[E]) Add(v E) { l.items = append(l.items, v) }
