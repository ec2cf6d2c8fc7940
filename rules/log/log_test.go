package log

import (
	stdlog "log"
	"testing"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spantest"
)

// The hook must fit the api convention for its target exactly.
var _ func(api.CallContext, *stdlog.Logger, uintptr, int, func([]byte) []byte) = OutputOnEnter

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

const (
	wantTrace = spantest.TraceHex
	wantSpan  = spantest.SpanHex
	suffix    = " trace_id=" + wantTrace + " span_id=" + wantSpan
)

// output plays (*Logger).output with the hook spliced: the header, then the
// message through the appendOutput the hook may have replaced, then the
// newline output adds when the message has none.
func output(header, msg string) (string, *fakeCall) {
	appendOutput := func(b []byte) []byte { return append(b, msg...) }
	call := &fakeCall{Params: []any{uintptr(0), 2, appendOutput}}
	OutputOnEnter(call, nil, 0, 2, appendOutput)
	b := call.Params[2].(func([]byte) []byte)([]byte(header))
	if len(b) == 0 || b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	return string(b), call
}

// idsOn plays OTELGO_LOG_TRACE_IDS=true for one test.
func idsOn(t *testing.T) {
	saved := withIDs
	withIDs = func() bool { return true }
	t.Cleanup(func() { withIDs = saved })
}

func TestLineInsideSpanGetsIDs(t *testing.T) {
	idsOn(t)
	spantest.OnGoroutine(t, spantest.Context())
	for msg, want := range map[string]string{
		"hello":     "p: hello" + suffix + "\n",
		"hello\n":   "p: hello" + suffix + "\n", // Println, or a message ending in a newline
		"":          "p: " + suffix + "\n",
		"a\nb":      "p: a\nb" + suffix + "\n",
		"a\n\n":     "p: a\n" + suffix + "\n",
		"k=v x=y\n": "p: k=v x=y" + suffix + "\n",
	} {
		if got, _ := output("p: ", msg); got != want {
			t.Errorf("%q: got %q, want %q", msg, got, want)
		}
	}
}

func TestLineOutsideSpanUnchanged(t *testing.T) {
	noExport(t)
	if got, call := output("p: ", "hello"); got != "p: hello\n" || call.ParamSet {
		t.Errorf("got %q (appendOutput replaced: %v)", got, call.ParamSet)
	}
}

func TestLineInsideSpanUnchangedByDefault(t *testing.T) {
	noExport(t)
	spantest.OnGoroutine(t, spantest.Context())
	if got, call := output("p: ", "hello"); got != "p: hello\n" || call.ParamSet {
		t.Errorf("got %q (appendOutput replaced: %v)", got, call.ParamSet)
	}
}

func TestLineWithTraceIDUnchanged(t *testing.T) {
	idsOn(t)
	spantest.OnGoroutine(t, spantest.Context())
	for _, msg := range []string{
		// slog's default handler, after the slog hook gave the record IDs.
		"INFO hello k=v trace_id=" + wantTrace + " span_id=" + wantSpan,
		"INFO hello g.trace_id=" + wantTrace + " g.span_id=" + wantSpan,
		// The program's own.
		"trace_id=mine",
	} {
		if got, _ := output("", msg); got != msg+"\n" {
			t.Errorf("got %q", got)
		}
	}
	// The header is not the message.
	if got, _ := output("trace_id= ", "m"); got != "trace_id= m"+suffix+"\n" {
		t.Errorf("got %q", got)
	}
}
