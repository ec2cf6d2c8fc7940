//go:build !otelgo_stub

package goroutine

import "unsafe"

// Implemented by the file otelgo adds to package runtime (runtime_otelgo.go),
// through //go:linkname; goroutine.s lets them be declared without a body.
// A build of this package outside otelgo cannot link: tests build it with
// -tags otelgo_stub, which takes stub.go instead of this file.
func getGoroutineContext() unsafe.Pointer
func setGoroutineContext(p unsafe.Pointer)
func panics() int
