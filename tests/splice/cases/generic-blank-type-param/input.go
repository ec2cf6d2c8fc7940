// generic-blank-type-param: the receiver names Stack's type parameter _.
// The splice gives it a name, otelgoT0, in the receiver and the trampolines,
// which need one to pass it on as a type argument.

package blank

// Stack is a stack.
type Stack[T any] struct{ items []T }

// Len does not need the type parameter's name.
func (s *Stack[_]) Len() int { return len(s.items) }
