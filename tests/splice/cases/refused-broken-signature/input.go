// refused-broken-signature: the signature to be edited does not parse; the
// package is compiled as it is, and the compiler reports the error.

package broken

func Push(n int, = new(1)) int { return n }
