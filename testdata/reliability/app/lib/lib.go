// Package lib does the work behind GET /compute/{n}; the reliability tests
// put user rules (a printing hook, a panicking hook) on Compute.
package lib

// Compute returns n*n + 1.
func Compute(n int) int {
	return n*n + 1
}
