//go:build otelgo_runtime

// This file is not part of package goroutine: otelgo adds it to package
// runtime (rule goroutine-runtime-accessors), where it reads and writes the
// field that rule goroutine-g-field adds to runtime.g. The build constraint
// keeps it out of every normal build of this directory.

package runtime

import "unsafe"

//go:linkname otelgoGetGoroutineContext otelgo.dev/rules/goroutine.getGoroutineContext
func otelgoGetGoroutineContext() unsafe.Pointer {
	return getg().m.curg.otelgoCtx
}

//go:linkname otelgoSetGoroutineContext otelgo.dev/rules/goroutine.setGoroutineContext
func otelgoSetGoroutineContext(p unsafe.Pointer) {
	getg().m.curg.otelgoCtx = p
}

//go:linkname otelgoPanics otelgo.dev/rules/goroutine.panics
func otelgoPanics() int {
	n := 0
	for p := getg().m.curg._panic; p != nil; p = p.link {
		if !p.goexit {
			n++
		}
	}
	return n
}
