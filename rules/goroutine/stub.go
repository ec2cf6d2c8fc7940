//go:build otelgo_stub

package goroutine

import "unsafe"

// For the Go tests of the hook packages only (go test -tags otelgo_stub):
// without otelgo there is no field in runtime.g to keep the goroutine's
// spans in, so one variable stands in for it, shared by every goroutine.
// Never set this tag in a build otelgo instruments: linkname.go holds the
// real declarations.
var stubContext unsafe.Pointer

func getGoroutineContext() unsafe.Pointer { return stubContext }

func setGoroutineContext(p unsafe.Pointer) { stubContext = p }
