package semantics

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeferChangesNamedResult(t *testing.T) {
	if got := DeferDoubles(21); got != 42 {
		t.Fatalf("DeferDoubles(21) = %d", got)
	}
}

func TestRecoverBecomesError(t *testing.T) {
	err := RecoverAsError(func() { panic("x") })
	if err == nil || err.Error() != "recovered: x" {
		t.Fatalf("got %v", err)
	}
	if err := RecoverAsError(func() {}); err != nil {
		t.Fatalf("no panic: %v", err)
	}
}

func TestPanicThroughHookedFrames(t *testing.T) {
	v, result := Guarded(10)
	if v != ErrBoom || result != 0 {
		t.Fatalf("Guarded(10) = %v, %d", v, result)
	}
	err, _ := v.(error)
	if !errors.Is(err, ErrBoom) {
		t.Fatalf("not ErrBoom: %v", v)
	}
}

func TestRepanic(t *testing.T) {
	defer func() {
		if r := recover(); r != "again: first" {
			t.Fatalf("recovered %v", r)
		}
	}()
	Repanic()
}

func TestClosuresKeepTheirState(t *testing.T) {
	next := Counter(10)
	next()
	if got := next(); got != 12 {
		t.Fatalf("got %d", got)
	}
	a := &Adder{}
	add := a.Add // a method value of a hooked method
	add(2)
	add(3)
	if a.Peek() != 5 || (Adder{Total: 7}).Peek() != 7 {
		t.Fatalf("total %d", a.Total)
	}
}

func TestGoroutinesStartedInHookedCode(t *testing.T) {
	got := Fan(50, func(i int) int { return i * i })
	for i, v := range got {
		if v != i*i {
			t.Fatalf("Fan[%d] = %d", i, v)
		}
	}
	done := make(chan string, 1)
	go Exit(done)
	if msg := <-done; msg != "deferred ran" {
		t.Fatalf("Goexit: %q", msg)
	}
}

func TestGenerics(t *testing.T) {
	if Sum(1, 2, 3) != 6 || Sum(1.5, 2.5) != 4.0 || Sum[int64]() != 0 {
		t.Fatal("Sum")
	}
	lens := Map([]string{"a", "bb"}, func(s string) int { return len(s) })
	if len(lens) != 2 || lens[1] != 2 {
		t.Fatalf("Map: %v", lens)
	}
	var s Stack[string]
	s.Push("x")
	s.Push("y")
	if v, ok := s.Pop(); !ok || v != "y" || s.Len() != 1 {
		t.Fatalf("Pop: %q %v", v, ok)
	}
	var e Stack[int]
	if v, ok := e.Pop(); ok || v != 0 {
		t.Fatal("empty Pop")
	}
}

func TestDirectives(t *testing.T) {
	if a, b := Opaque(1, 2); a != 2 || b != 1 {
		t.Fatal("Opaque")
	}
	if Tiny(1) != 2 {
		t.Fatal("Tiny")
	}
}

func TestPositionsAreTheSourceFile(t *testing.T) {
	file, line := Where()
	if filepath.Base(file) != "semantics.go" || line != 153 {
		t.Fatalf("runtime.Caller in Where: %s:%d", file, line)
	}
	stack := Trace(func() { Explode(0) })
	if !strings.Contains(stack, "semantics.go:43") {
		t.Fatalf("the panic's stack does not name semantics.go:43:\n%s", stack)
	}
}

func TestManyShapesOfSignature(t *testing.T) {
	s, n, err := Join("ignored", "-", "a", "b")
	if s != "a-b" || n != 2 || err != nil {
		t.Fatalf("Join: %q %d %v", s, n, err)
	}
	if _, _, err := Join("", ","); err == nil {
		t.Fatal("Join of nothing")
	}
	if Fib(20) != 6765 {
		t.Fatal("Fib")
	}
}
