// generic-method: a method's receiver may rename the type parameters of its
// type. The trampolines use the receiver's names with the constraints of the
// type's declaration, renamed: Index[K comparable, S ~[]K], declared in
// input2.go, becomes [Key comparable, Keys ~[]Key].

package container

// Stack is a stack of comparable values.
type Stack[T comparable] struct{ items []T }

// Push calls Stack's type parameter E.
func (s *Stack[E]) Push(v E) int {
	s.items = append(s.items, v)
	return len(s.items)
}

// Kind has an unnamed receiver: otelgoRecv, of type Stack[T].
func (Stack[T]) Kind() string { return "stack" }

// Add appends k and returns all keys.
func (ix *Index[Key, Keys]) Add(k Key) Keys {
	ix.keys = append(ix.keys, k)
	return ix.keys
}
