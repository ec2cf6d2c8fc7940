// refused-directives: functions that no hook may enter keep their bodies as
// written and their rules are reported (refused.golden): //go:nosplit and the
// runtime's other directives, and a function handed to other packages with
// //go:linkname. A raw rule still applies to such a function; //go:noinline
// refuses nothing.

package tight

import _ "unsafe" // for go:linkname

//go:nosplit
func Fast(n int) int { return n + 1 }

// Quiet has a doc comment above its directive.
//
//go:norace
func Quiet(n int) int { return n - 1 }

//go:linkname pushed
func pushed(n int) int { return n * 2 }

//go:noinline
func Slow(n int) int { return n * 3 }

//go:nosplit
func Counted(n int) int { return n }
