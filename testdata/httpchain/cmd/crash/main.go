// Command crash panics from a helper function; the tests check that the
// panic's stack trace names this file and the line of the panic call.
package main

import "fmt"

func divide(a, b int) int {
	if b == 0 {
		panic(fmt.Sprintf("crash: cannot divide %d by zero", a))
	}
	return a / b
}

func main() {
	fmt.Println(divide(1, 0))
}
