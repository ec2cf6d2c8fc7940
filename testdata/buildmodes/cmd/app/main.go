// Command app fetches TARGET_URL once and prints the body; a panic with
// PANIC=1, to show the file and line a stack trace names.
package main

import (
	"context"
	"fmt"
	"os"

	"example.com/buildmodes/fetch"
)

func main() {
	body, err := fetch.Body(context.Background(), os.Getenv("TARGET_URL")+"/app")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(body)
	if os.Getenv("PANIC") == "1" {
		panic("asked to panic")
	}
}
