//go:build unix

package sdk

import (
	"os"
	"syscall"
)

var terminatingSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// reraise delivers s again; its default action (restored by the caller)
// ends the process the way s would have without the SDK's handler.
func reraise(s os.Signal) {
	if ss, ok := s.(syscall.Signal); ok {
		_ = syscall.Kill(syscall.Getpid(), ss)
	}
}
