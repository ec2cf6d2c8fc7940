//go:build otelgo_stub

package goroutine

import (
	"runtime"
	"unsafe"
)

// For the Go tests of the hook packages only (go test -tags otelgo_stub):
// without otelgo there is no field in runtime.g to keep the goroutine's
// spans in, so one variable stands in for it, shared by every goroutine.
// Never set this tag in a build otelgo instruments: linkname.go holds the
// real declarations.
var stubContext unsafe.Pointer

func getGoroutineContext() unsafe.Pointer { return stubContext }

func setGoroutineContext(p unsafe.Pointer) { stubContext = p }

// panics counts the frames of runtime.gopanic on the stack, which is what
// the runtime's count of panics under way amounts to for a test.
func panics() int {
	var pcs [64]uintptr
	n := 0
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			n++
		}
		if !more {
			return n
		}
	}
}
