//go:build windows

package sdk

import (
	"os"
	"syscall"
)

var terminatingSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// statusControlCExit is STATUS_CONTROL_C_EXIT (0xC000013A), the exit code
// of a console process ended by Ctrl-C or a close/logoff/shutdown event.
const statusControlCExit = -1073741510

// reraise ends the process as Windows' default console control handler
// would: Windows has no way to send the event to this process alone again.
func reraise(os.Signal) {
	os.Exit(statusControlCExit)
}
