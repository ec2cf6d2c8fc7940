// generic-method-go127: Go 1.27's generic methods, whose type parameter
// list tree-sitter-go refuses after a receiver: parsed with the list blanked
// out, offsets kept. The trampolines take the receiver's type parameters,
// then the method's own, with their constraints (fmt.Stringer: fmt is
// imported); a generic method nobody edits leaves the file to the splice.

package conv

import "fmt"

// Conv converts ints.
type Conv struct{ n int }

// Apply is a generic method of a plain type.
func (c Conv) Apply[U any](f func(int) U) U { return f(c.n) }

// Box holds one value.
type Box[T any] struct{ v T }

// Show is a generic method of a generic type, with a constraint from fmt
// and its type parameters on two lines.
func (b *Box[T]) Show[S fmt.Stringer,
	F ~func(T) S](f F) (string, error) {
	return f(b.v).String(), nil
}

// Keys is not edited.
func (Box[T]) Keys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
