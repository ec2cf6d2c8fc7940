// bug-generic-blank-type-param: the receiver names Stack's type parameter _.
// The splice passes it on as a type argument, otelgoEnter0[_], and declares
// the trampolines with [_ any]: "cannot use _ as value or type".

package blank

// Stack is a stack.
type Stack[T any] struct{ items []T }

// Len does not need the type parameter's name.
func (s *Stack[_]) Len() int { return len(s.items) }
