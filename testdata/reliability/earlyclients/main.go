// Command earlyclients uses, from main, clients that package early made and
// used in its init, before otelgo's hook packages were initialised.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"example.com/earlyclients/early"
)

func main() {
	if err := early.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "init:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := early.Use(ctx, "main"); err != nil {
		fmt.Fprintln(os.Stderr, "main:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}
