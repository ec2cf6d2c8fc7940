// generic-swapped-type-params: the receiver swaps the names of M's type
// parameters. The constraints are renamed all at once: V's ~[]K becomes
// ~[]V, and the trampolines say [V comparable, K ~[]V].

package swap

// M maps keys to lists of keys.
type M[K comparable, V ~[]K] struct{ m map[K]V }

// Get calls K what M calls V, and V what M calls K.
func (m M[V, K]) Get(k V) K { return m.m[k] }
