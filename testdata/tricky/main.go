// Command tricky calls every function of package lib and prints the results;
// the hooks print what they saw in between.
package main

import (
	"fmt"
	"os"
	"strconv"

	"example.com/tricky/lib"
)

type num int

func (n num) String() string { return "#" + strconv.Itoa(int(n)) }

func main() {
	fmt.Println("Map", lib.Map([]int{1, 2}, func(i int) num { return num(i) }))
	var s lib.Stack[string]
	fmt.Println("Push", s.Push("a"))
	fmt.Println("Scale", lib.Point{X: 1, Y: 2}.Scale(2))
	fmt.Println("Unnamed", lib.Unnamed(7, "x"))
	fmt.Println(lib.Blank(1, "blank", true))
	fmt.Println("Sum", lib.Sum(1, 2, 3))
	fmt.Println(lib.Div(7, 2))
	fmt.Println("Twice", lib.Twice("ab"))
	fmt.Println("Expensive", lib.Expensive(9))
	fmt.Println("Fragile", lib.Fragile(1), lib.Fragile(2))
	fmt.Println("Greet", lib.Greet("ann"))
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		lib.Crash()
	}
}
