// internal-type-as-interface: a hook package cannot import an internal
// package of the target, so the hook gets *wire.Frame as interface{}; the
// trampolines, in the target package, keep the real type.

package transport

import "example.com/cases/internal-type-as-interface/internal/wire"

// Send writes one frame of n bytes.
func Send(f *wire.Frame, n int) error {
	f.Length = n
	return nil
}
