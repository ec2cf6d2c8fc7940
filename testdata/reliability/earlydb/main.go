// Command earlydb queries, from main, a database a package opened and
// filled while it was initialised.
package main

import (
	"context"
	"fmt"

	"example.com/earlydb/early"
)

func main() {
	var n int
	if err := early.Count.QueryRowContext(context.Background()).Scan(&n); err != nil {
		panic(err)
	}
	fmt.Println("rows", n)
}
