// ignore-file: //otel:ignore before the package clause, apart from the
// package's doc comment: every function of this file is left out (init
// is not: a package may have several); input2.go, not.

//otel:ignore

package svc

import "fmt"

var ready bool

func init() { ready = true }

// Probe is left out with its file.
func Probe() string { return fmt.Sprint(ready) }

type probe struct{}

func (probe) Check(_ int) bool { return ready }
