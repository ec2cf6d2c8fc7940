//go:build unix

package sdk

import (
	"os"
	"os/signal"
	"syscall"
)

var terminatingSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// reraise delivers s again with its default action, which ends the process
// the way s would have without the SDK's handler.
func reraise(s os.Signal) {
	signal.Reset(s)
	if ss, ok := s.(syscall.Signal); ok {
		_ = syscall.Kill(syscall.Getpid(), ss)
	}
}
