package logctx

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/spantest"
)

var (
	ctxSpan = spantest.Context()
	gSpan   = spantest.OtherContext()
	invalid = trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
)

func check(t *testing.T, name string, ctx context.Context, wantTrace, wantSpan string) {
	t.Helper()
	tid, sid, ok := IDs(ctx)
	if tid != wantTrace || sid != wantSpan || ok != (wantTrace != "") || Valid(ctx) != ok {
		t.Errorf("%s: IDs = %q %q %v, Valid = %v; want %q %q", name, tid, sid, ok, Valid(ctx), wantTrace, wantSpan)
	}
	if sc := SpanContext(ctx); sc.IsValid() != ok || (ok && sc.SpanID().String() != sid) {
		t.Errorf("%s: SpanContext = %v", name, sc)
	}
}

func TestWithoutGoroutineSpan(t *testing.T) {
	check(t, "ctx", ctxSpan, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
	for name, ctx := range map[string]context.Context{"nil": nil, "background": context.Background(), "invalid": invalid} {
		check(t, name, ctx, "", "")
	}
}

func TestGoroutineSpanIsTheFallback(t *testing.T) {
	spantest.OnGoroutine(t, gSpan)
	// The context's own span wins.
	check(t, "ctx", ctxSpan, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
	for name, ctx := range map[string]context.Context{"nil": nil, "background": context.Background(), "invalid": invalid} {
		check(t, name, ctx, "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
	}
}

func TestContextIDsIgnoreTheGoroutine(t *testing.T) {
	spantest.OnGoroutine(t, gSpan)
	if tid, sid, ok := ContextIDs(ctxSpan); !ok || tid != "4bf92f3577b34da6a3ce929d0e0e4736" || sid != "00f067aa0ba902b7" {
		t.Errorf("ctx: %q %q %v", tid, sid, ok)
	}
	for name, ctx := range map[string]context.Context{"nil": nil, "background": context.Background(), "invalid": invalid} {
		if tid, sid, ok := ContextIDs(ctx); ok || tid != "" || sid != "" {
			t.Errorf("%s: %q %q %v", name, tid, sid, ok)
		}
		if ContextSpanContext(ctx).IsValid() {
			t.Errorf("%s: valid", name)
		}
	}
}

func TestGoroutineSpanEnded(t *testing.T) {
	span := trace.SpanFromContext(gSpan)
	goroutine.SpanStartOnExit(nil, gSpan, span)
	goroutine.SpanEndOnEnter(nil, span, nil)
	check(t, "background", context.Background(), "", "")
}

func TestExportContext(t *testing.T) {
	if got := ExportContext(ctxSpan); got != ctxSpan {
		t.Errorf("a context with a span was replaced")
	}
	for name, ctx := range map[string]context.Context{"nil": nil, "background": context.Background(), "invalid": invalid} {
		if got := ExportContext(ctx); got == nil || trace.SpanContextFromContext(got).IsValid() {
			t.Errorf("%s, no goroutine span: %v", name, got)
		}
	}
	spantest.OnGoroutine(t, gSpan)
	for name, ctx := range map[string]context.Context{"nil": nil, "background": context.Background(), "invalid": invalid} {
		if sc := trace.SpanContextFromContext(ExportContext(ctx)); sc.SpanID().String() != "b7ad6b7169203331" {
			t.Errorf("%s: %v", name, sc)
		}
	}
	if sc := trace.SpanContextFromContext(ExportContext(ctxSpan)); sc.SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("the context's own span lost to the goroutine's: %v", sc)
	}
}

func TestIsIDField(t *testing.T) {
	sc := trace.SpanContextFromContext(ctxSpan)
	for _, c := range []struct {
		key, value string
		want       bool
	}{
		{TraceIDKey, "4bf92f3577b34da6a3ce929d0e0e4736", true},
		{SpanIDKey, "00f067aa0ba902b7", true},
		{TraceIDKey, "0af7651916cd43dd8448eb211c80319c", false},
		{SpanIDKey, "4bf92f3577b34da6a3ce929d0e0e4736", false},
		{"other", "00f067aa0ba902b7", false},
	} {
		if got := IsIDField(sc, c.key, c.value); got != c.want {
			t.Errorf("%s=%s: %v", c.key, c.value, got)
		}
	}
	if IsIDField(trace.SpanContext{}, TraceIDKey, "00000000000000000000000000000000") {
		t.Errorf("an invalid span context matched")
	}
}

func TestSpanContextFromIDs(t *testing.T) {
	for _, ids := range [][2]string{{"x", "00f067aa0ba902b7"}, {"4bf92f3577b34da6a3ce929d0e0e4736", "y"}, {"00000000000000000000000000000000", "00f067aa0ba902b7"}} {
		if _, ok := SpanContextFromIDs(ids[0], ids[1]); ok {
			t.Errorf("%v accepted", ids)
		}
	}
	sc, ok := SpanContextFromIDs("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
	if !ok || !sc.Equal(trace.SpanContextFromContext(ctxSpan)) {
		t.Errorf("%v %v", sc, ok)
	}
	// The goroutine's span, when it is the same, with its flags.
	sampled := trace.SpanContextFromContext(gSpan).WithTraceFlags(trace.FlagsSampled)
	spantest.OnGoroutine(t, trace.ContextWithSpanContext(context.Background(), sampled))
	if sc, ok := SpanContextFromIDs("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"); !ok || !sc.IsSampled() {
		t.Errorf("%v %v", sc, ok)
	}
}
