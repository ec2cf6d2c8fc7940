// Package semantics holds the Go constructs a hook call spliced into a
// function could get wrong: named results set by defers, recover, panics
// through hooked frames, closures, goroutines started in hooked code,
// generics, //go:noinline and //go:nosplit functions, runtime.Caller and
// stack traces. Its tests (semantics_test.go) state what Go gives; the
// suites lane (tests/suites/) runs them plain and with a hook on every
// function here, on, panicking and off.
package semantics

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// DeferDoubles returns 2*n: its deferred function changes the named result
// after the return statement set it.
func DeferDoubles(n int) (out int) {
	defer func() { out *= 2 }()
	return n
}

// RecoverAsError turns a panic of f into an error result.
func RecoverAsError(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	f()
	return nil
}

// ErrBoom is what Explode panics with.
var ErrBoom = errors.New("boom")

// Explode panics with ErrBoom once depth reaches zero, through depth
// hooked frames of itself.
func Explode(depth int) int {
	if depth == 0 {
		panic(ErrBoom)
	}
	return Explode(depth-1) + 1
}

// Guarded calls Explode and recovers the very value it panicked with.
func Guarded(depth int) (v any, result int) {
	defer func() { v = recover() }()
	return nil, Explode(depth)
}

// Repanic recovers a panic and panics again with a wrapped value.
func Repanic() {
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Sprintf("again: %v", r))
		}
	}()
	panic("first")
}

// Counter returns a closure over its own parameter.
func Counter(start int) func() int {
	return func() int {
		start++
		return start
	}
}

// Adder is a value with methods on the value and on the pointer.
type Adder struct{ Total int }

// Add adds n (pointer receiver) and returns the new total.
func (a *Adder) Add(n int) int { a.Total += n; return a.Total }

// Peek returns the total (value receiver: a copy).
func (a Adder) Peek() int { return a.Total }

// Fan starts n goroutines in this hooked function; each sends f(i).
func Fan(n int, f func(int) int) []int {
	out := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = f(i)
		}()
	}
	wg.Wait()
	return out
}

// Exit ends the goroutine that calls it, running its defers.
func Exit(done chan<- string) {
	defer func() { done <- "deferred ran" }()
	runtime.Goexit()
}

// Number is the constraint of the generic functions.
type Number interface{ ~int | ~int64 | ~float64 }

// Sum is a generic function.
func Sum[T Number](xs ...T) (total T) {
	for _, x := range xs {
		total += x
	}
	return total
}

// Map is a generic function of two type parameters.
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// Stack is a generic type with methods.
type Stack[T any] struct{ items []T }

// Push pushes v.
func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

// Pop pops the top, ok false when empty.
func (s *Stack[T]) Pop() (v T, ok bool) {
	if len(s.items) == 0 {
		return v, false
	}
	v = s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

// Len is a method on a generic value receiver.
func (s Stack[T]) Len() int { return len(s.items) }

// Opaque is never inlined.
//
//go:noinline
func Opaque(a, b int) (int, int) { return b, a }

// Tiny may not grow its stack: otelgo refuses to hook it.
//
//go:nosplit
func Tiny(n int) int { return n + 1 }

// Where returns the file and line of its own call of runtime.Caller.
func Where() (string, int) {
	_, file, line, _ := runtime.Caller(0)
	return file, line
}

// Trace returns the stack of the panic that f raises, as debug.Stack
// would print it inside the deferred recover.
func Trace(f func()) (stack string) {
	defer func() {
		if recover() != nil {
			buf := make([]byte, 1<<16)
			stack = string(buf[:runtime.Stack(buf, false)])
		}
	}()
	f()
	return ""
}

// Join has unnamed and blank parameters, a variadic one and several results.
func Join(_ string, sep string, parts ...string) (string, int, error) {
	if len(parts) == 0 {
		return "", 0, errors.New("nothing to join")
	}
	return strings.Join(parts, sep), len(parts), nil
}

// Fib is recursive.
func Fib(n int) int {
	if n < 2 {
		return n
	}
	return Fib(n-1) + Fib(n-2)
}
