// Package gotypes holds the hook of gotypes.json, a user rule on a standard
// library function in a file the splicer refuses (go/types' union.go has a
// dot import): the package outside the user's modules that is compiled as
// it is.
package gotypes

import (
	"fmt"
	"go/types"

	"otelgo.dev/rules/api"
)

// NewTermEnter targets go/types.NewTerm.
func NewTermEnter(call api.CallContext, tilde bool, typ types.Type) {
	fmt.Println("hook: types.NewTerm")
}
