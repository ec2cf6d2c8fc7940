package target_test

import (
	"context"
	"testing"

	"example.com/hookcost/target"
)

var sink int

func BenchmarkPlain(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = target.Plain(i, 1)
	}
}

func BenchmarkNoop(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = target.Noop(i, 1)
	}
}

func BenchmarkGated(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = target.Gated(i, 1)
	}
}

func BenchmarkTraced(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = target.Traced(i, 1)
	}
}

func BenchmarkPlainCtx(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		sink, _ = target.PlainCtx(ctx, i, 1)
	}
}

func BenchmarkSpanned(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		sink, _ = target.Spanned(ctx, i, 1)
	}
}

// TestResults checks that the hooked functions still compute what they
// should (the benchmarks would measure a broken build otherwise).
func TestResults(t *testing.T) {
	for name, f := range map[string]func(int, int) int{
		"Plain": target.Plain, "Noop": target.Noop, "Gated": target.Gated, "Traced": target.Traced,
	} {
		if got := f(2, 3); got != 5 {
			t.Errorf("%s(2, 3) = %d, want 5", name, got)
		}
	}
	for name, f := range map[string]func(context.Context, int, int) (int, error){
		"PlainCtx": target.PlainCtx, "Spanned": target.Spanned,
	} {
		if got, err := f(context.Background(), 2, 3); got != 5 || err != nil {
			t.Errorf("%s(ctx, 2, 3) = %d, %v, want 5, nil", name, got, err)
		}
	}
}
