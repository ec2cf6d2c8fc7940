// Package hooks holds the hooks of the reliability tests' user rules: one
// that prints (to see whether a binary is instrumented), one that always
// panics, and ones for targets otelgo must leave alone.
package hooks

import (
	"fmt"

	"otelgo.dev/rules/api"
)

// ComputeEnter (print.json) shows that example.com/reliability/app/lib.Compute is instrumented.
func ComputeEnter(call api.CallContext, n int) {
	fmt.Printf("hook: Compute enter n=%d\n", n)
}

// ComputePanics (panic.json) panics on every call.
func ComputePanics(call api.CallContext, n int) {
	panic(fmt.Sprintf("reliability: this hook always panics (n=%d)", n))
}

// ShoutEnter (words.json) targets a function in a file with a dot import.
func ShoutEnter(call api.CallContext, word string) {
	fmt.Printf("hook: Shout enter word=%s\n", word)
}

// NewStringEnter (outofrange.json) targets github.com/google/uuid.NewString
// with a version range that excludes the version app requires (v1.6.0).
func NewStringEnter(call api.CallContext) {
	fmt.Println("hook: uuid.NewString")
}
