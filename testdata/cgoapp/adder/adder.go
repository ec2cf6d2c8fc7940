// Package adder is a cgo package: its sum is computed by a C function.
package adder

/*
static int add(int a, int b) { return a + b; }
*/
import "C"

// Add returns a+b, computed in C.
func Add(a, b int) int { return int(C.add(C.int(a), C.int(b))) }
