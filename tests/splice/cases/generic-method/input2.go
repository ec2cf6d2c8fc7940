// The declaration that generic-method/input.go's Add needs the constraints
// of: in another file, in a grouped type declaration. Nothing here is edited.

package container

type (
	// Index keeps keys in the order they were added.
	Index[K comparable, S ~[]K] struct{ keys S }
)
