// Package lib holds functions whose shapes are hard to splice: generics,
// unnamed and blank parameters, variadics, several unnamed results, value
// and pointer receivers. rules.json hooks every one of them.
package lib

import (
	"errors"
	"fmt"
	"strings"
)

// Map is generic in two type parameters, one only in the result.
func Map[T any, U fmt.Stringer](xs []T, f func(T) U) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x).String())
	}
	return out
}

// Stack is generic with a constraint the trampoline must repeat.
type Stack[T comparable] struct{ items []T }

// Push has a pointer receiver on a generic type, renamed type parameter.
func (s *Stack[E]) Push(v E) int {
	s.items = append(s.items, v)
	return len(s.items)
}

// Point has value-receiver methods.
type Point struct{ X, Y int }

func (p Point) Scale(k int) Point { return Point{p.X * k, p.Y * k} }

// Unnamed takes unnamed parameters and returns an unnamed result.
func Unnamed(int, string) string { return "unnamed" }

// Blank has blank parameters and a blank result name.
func Blank(_ int, s string, _ bool) (_ string, err error) {
	return strings.ToUpper(s), nil
}

// Sum is variadic.
func Sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	return base
}

// Div returns several unnamed results.
func Div(a, b int) (int, int, error) {
	if b == 0 {
		return 0, 0, errors.New("division by zero")
	}
	return a / b, a % b, nil
}

// Twice has two rules on it; their hooks run in Order.
func Twice(s string) string { return s + s }

// Expensive is skipped by its hook, which supplies the result.
func Expensive(n int) (result int) {
	panic("Expensive must not run: the hook skips it")
}

// Fragile's hook panics; the call must go on as if uninstrumented.
func Fragile(n int) int { return n + 1 }

// Greet has its parameter replaced by its hook.
func Greet(name string) string { return "hello " + name }

// Crash panics at a known line while instrumented.
func Crash() {
	var m map[string]int
	m["boom"]++ // the panic the test looks for
}
