// generic-function: the call type and the trampolines take the function's
// type parameters, and the site passes them on (otelgoEnter0[T, U]); a hook
// gets a value of a type parameter's type, or of a type built from one, as
// interface{}.

package slicesx

// Map has two type parameters.
func Map[T any, U comparable](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// Zero has a type parameter only in its result.
func Zero[T any]() T {
	var z T
	return z
}
