// Command gotypes calls go/types.NewTerm, the target of the user rule
// hooks/gotypes.json, which the splicer refuses (go/types has files with
// a dot import): the reliability tests' refused package outside the
// user's modules.
package main

import (
	"fmt"
	"go/types"
)

func main() { fmt.Println(types.NewTerm(true, types.Typ[types.Int])) }
