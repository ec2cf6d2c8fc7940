//go:build !unix && !windows

package sdk

import "os"

// No terminating signal is caught on other systems (js, wasip1, plan9):
// main returning and os.Exit still flush.
var terminatingSignals []os.Signal

func reraise(os.Signal) {}
