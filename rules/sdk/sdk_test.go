//go:build unix

package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext)                                = MainOnEnter
	_ func(api.CallContext)                                = MainOnExit
	_ func(api.CallContext, int)                           = ExitOnEnter
	_ func(api.CallContext, chan<- os.Signal, []os.Signal) = NotifyOnEnter
	_ func(api.CallContext, chan<- os.Signal)              = StopOnEnter
	_ func(api.CallContext)                                = StopOnExit
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

func notify(c chan<- os.Signal, sigs ...os.Signal) {
	NotifyOnEnter(&fakeCall{}, c, sigs)
	signal.Notify(c, sigs...)
}
func stop(c chan<- os.Signal) {
	call := &fakeCall{}
	StopOnEnter(call, c)
	signal.Stop(c)
	StopOnExit(call)
}

const childEnv = "OTELGO_SDK_TEST_CHILD"

// TestMain runs the test binary as a child program when childEnv is set:
// this package's init has then set the SDK up from the environment the
// test gave, as in a program otelgo built.
func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		linkConsole()
		child(mode)
		return
	}
	os.Exit(m.Run())
}

// child plays a program; the spliced hooks are called by hand.
func child(mode string) {
	span := func(name string) {
		_, s := otel.Tracer("child").Start(context.Background(), name)
		s.End()
	}
	switch mode {
	case "main-return":
		span("work")
		MainOnExit(&fakeCall{})
	case "os-exit":
		span("work")
		ExitOnEnter(&fakeCall{}, 3)
		os.Exit(3)
	case "signal":
		span("work")
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(10 * time.Second)
		fmt.Println("still alive")
	case "signal-handled":
		c := make(chan os.Signal, 1)
		notify(c, syscall.SIGTERM)
		span("work")
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		select {
		case <-c:
		case <-time.After(5 * time.Second):
			os.Exit(9)
		}
		time.Sleep(200 * time.Millisecond) // the SDK's handler must not end us
		fmt.Println("handled")
		MainOnExit(&fakeCall{})
	case "signal-all-handled":
		c := make(chan os.Signal, 1)
		notify(c) // every signal
		_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
		<-c
		time.Sleep(200 * time.Millisecond)
		fmt.Println("handled")
	case "signal-stopped":
		c := make(chan os.Signal, 1)
		notify(c, syscall.SIGINT)
		stop(c)
		span("work")
		_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
		time.Sleep(10 * time.Second)
		fmt.Println("still alive")
	case "stall":
		shutdownTimeout = 500 * time.Millisecond
		span("work")
		start := time.Now()
		MainOnExit(&fakeCall{})
		MainOnExit(&fakeCall{}) // once only
		fmt.Printf("shutdown took %v\n", time.Since(start).Round(time.Millisecond))
	case "meter":
		_, isSDK := otel.GetMeterProvider().(*sdkmetric.MeterProvider)
		fmt.Printf("metrics-sdk=%v\n", isSDK)
		MainOnExit(&fakeCall{})
	case "uninstrumented":
		_, isSDK := otel.GetTracerProvider().(*sdktrace.TracerProvider)
		sigState.mu.Lock()
		handler := sigState.own != nil
		sigState.mu.Unlock()
		fmt.Printf("sdk=%v signal-handler=%v\n", isSDK, handler)
		MainOnExit(&fakeCall{})
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode", mode)
		os.Exit(99)
	}
}

type result struct {
	stdout, stderr string
	err            error
	elapsed        time.Duration
}

// run runs the test binary as a child program in mode with env (on top
// of an environment without OTEL_* variables).
func run(t *testing.T, mode string, env ...string) result {
	t.Helper()
	// Metrics would go to the default OTLP endpoint, where nothing listens;
	// the tests of metrics set OTEL_METRICS_EXPORTER again.
	c := calltest.RunChild(t, append([]string{childEnv + "=" + mode, "OTEL_BSP_SCHEDULE_DELAY=60000", "OTEL_METRICS_EXPORTER=none"}, env...)...)
	return result{c.Stdout, c.Stderr, c.Err, c.Elapsed}
}

// consoleSpan is the part of stdouttrace's output the tests look at.
type consoleSpan struct {
	Name     string
	Resource []struct {
		Key   string
		Value struct{ Value any }
	}
}

// spans returns the resource of each span stdouttrace printed, by name.
func spans(t *testing.T, stdout string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(stdout, "\n") {
		var s consoleSpan
		if json.Unmarshal([]byte(line), &s) != nil || s.Name == "" {
			continue // the child's own output
		}
		res := map[string]any{}
		for _, kv := range s.Resource {
			res[kv.Key] = kv.Value.Value
		}
		out[s.Name] = res
	}
	return out
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -100
	}
	return 0
}

func killedBy(err error) syscall.Signal {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal()
		}
	}
	return 0
}

func TestFlushWhenMainReturns(t *testing.T) {
	r := run(t, "main-return", "OTEL_TRACES_EXPORTER=console")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	s := spans(t, r.stdout)
	res, ok := s["work"]
	if !ok {
		t.Fatalf("span not flushed; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	exe, _ := os.Executable()
	if want := strings.TrimSuffix(filepath.Base(exe), ".exe"); res["service.name"] != want {
		t.Errorf("service.name %v, want %q", res["service.name"], want)
	}
	for _, k := range []string{"telemetry.sdk.language", "telemetry.sdk.name", "telemetry.distro.name", "host.name", "process.pid", "process.runtime.version"} {
		if res[k] == nil {
			t.Errorf("resource lacks %s: %v", k, res)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestResourceFromEnv(t *testing.T) {
	r := run(t, "main-return", "OTEL_TRACES_EXPORTER=console",
		"OTEL_RESOURCE_ATTRIBUTES=service.name=from-attrs,deployment.environment.name=test")
	res := spans(t, r.stdout)["work"]
	if res["service.name"] != "from-attrs" || res["deployment.environment.name"] != "test" {
		t.Errorf("resource %v", res)
	}
	r = run(t, "main-return", "OTEL_TRACES_EXPORTER=console",
		"OTEL_RESOURCE_ATTRIBUTES=service.name=from-attrs", "OTEL_SERVICE_NAME=svc")
	if res := spans(t, r.stdout)["work"]; res["service.name"] != "svc" {
		t.Errorf("OTEL_SERVICE_NAME not honoured: %v", res)
	}
}

func TestFlushOnOSExit(t *testing.T) {
	r := run(t, "os-exit", "OTEL_TRACES_EXPORTER=console")
	if code := exitCode(r.err); code != 3 {
		t.Fatalf("exit code %d (%v), want 3\n%s", code, r.err, r.stderr)
	}
	if _, ok := spans(t, r.stdout)["work"]; !ok {
		t.Errorf("span not flushed on os.Exit; stdout:\n%s", r.stdout)
	}
}

func TestSignal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no kill(2)")
	}
	r := run(t, "signal", "OTEL_TRACES_EXPORTER=console")
	if sig := killedBy(r.err); sig != syscall.SIGTERM {
		t.Fatalf("child ended with %v (signal %v), want death by SIGTERM\n%s%s", r.err, sig, r.stdout, r.stderr)
	}
	if _, ok := spans(t, r.stdout)["work"]; !ok {
		t.Errorf("span not flushed on SIGTERM; stdout:\n%s", r.stdout)
	}

	// After signal.Stop the program no longer handles SIGINT: flush and die.
	r = run(t, "signal-stopped", "OTEL_TRACES_EXPORTER=console")
	if sig := killedBy(r.err); sig != syscall.SIGINT {
		t.Fatalf("child ended with %v, want death by SIGINT\n%s%s", r.err, r.stdout, r.stderr)
	}
	if _, ok := spans(t, r.stdout)["work"]; !ok {
		t.Errorf("span not flushed on SIGINT; stdout:\n%s", r.stdout)
	}
}

func TestSignalHandledByProgram(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no kill(2)")
	}
	for _, mode := range []string{"signal-handled", "signal-all-handled"} {
		r := run(t, mode, "OTEL_TRACES_EXPORTER=console")
		if r.err != nil {
			t.Fatalf("%s: %v (signal %v)\n%s%s", mode, r.err, killedBy(r.err), r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "handled") {
			t.Errorf("%s: stdout %q", mode, r.stdout)
		}
		if mode == "signal-handled" {
			if _, ok := spans(t, r.stdout)["work"]; !ok {
				t.Errorf("span not flushed; stdout:\n%s", r.stdout)
			}
		}
	}
}

func TestShutdownBoundedWhenCollectorStalls(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	r := run(t, "stall", "OTEL_TRACES_EXPORTER=otlp", "OTEL_METRICS_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_EXPORTER_OTLP_ENDPOINT="+srv.URL)
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "shutdown took") || r.elapsed > 4*time.Second {
		t.Errorf("took %v; stdout %q", r.elapsed, r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "otelgo: flushing telemetry did not finish within") {
		t.Errorf("stderr: %q", r.stderr)
	}
}

// Metrics are flushed at exit with the Go runtime's among them, and
// OTEL_METRICS_EXPORTER=none leaves the no-op MeterProvider in place.
func TestMetrics(t *testing.T) {
	r := run(t, "meter", "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=console")
	if r.err != nil || r.stderr != "" {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "metrics-sdk=true\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	for _, name := range []string{`"go.goroutine.count"`, `"go.memory.used"`, `"go.memory.gc.goal"`} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("%s not exported at exit; stdout:\n%s", name, r.stdout)
		}
	}

	r = run(t, "meter", "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=none")
	if r.err != nil || r.stderr != "" || r.stdout != "metrics-sdk=false\n" {
		t.Errorf("none: %v %q %q", r.err, r.stdout, r.stderr)
	}

	r = run(t, "meter", "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=bogus")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.err != nil || r.stdout != "metrics-sdk=false\n" || len(lines) != 1 || !strings.Contains(lines[0], `OTEL_METRICS_EXPORTER="bogus"`) {
		t.Errorf("bogus: %v %q %q", r.err, r.stdout, r.stderr)
	}
}

func TestBadConfiguration(t *testing.T) {
	r := run(t, "uninstrumented", "OTEL_TRACES_EXPORTER=bogus")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if strings.TrimSpace(r.stdout) != "sdk=false signal-handler=false" {
		t.Errorf("stdout %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "otelgo: ") || !strings.Contains(lines[0], "bogus") {
		t.Errorf("stderr: %q", r.stderr)
	}

	r = run(t, "uninstrumented", "OTEL_SDK_DISABLED=true")
	if r.err != nil || strings.TrimSpace(r.stdout) != "sdk=false signal-handler=false" || r.stderr != "" {
		t.Errorf("OTEL_SDK_DISABLED: %v %q %q", r.err, r.stdout, r.stderr)
	}

	r = run(t, "main-return", "OTEL_TRACES_EXPORTER=console", "OTEL_PROPAGATORS=tracecontext,nope")
	if !strings.HasPrefix(r.stderr, "otelgo: OTEL_PROPAGATORS=") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr: %q", r.stderr)
	}
	if _, ok := spans(t, r.stdout)["work"]; !ok {
		t.Errorf("a bad propagator must not stop tracing; stdout:\n%s", r.stdout)
	}
}

func TestSignalBookkeeping(t *testing.T) {
	sigState.mu.Lock()
	saved := sigState.user
	sigState.user = nil
	sigState.mu.Unlock()
	defer func() {
		sigState.mu.Lock()
		sigState.user = saved
		sigState.mu.Unlock()
	}()

	a, b := make(chan os.Signal, 1), make(chan os.Signal, 1)
	if programHandles(os.Interrupt) {
		t.Fatal("handles SIGINT with no registration")
	}
	NotifyOnEnter(&fakeCall{}, a, []os.Signal{syscall.SIGTERM})
	if !programHandles(syscall.SIGTERM) || programHandles(os.Interrupt) {
		t.Error("Notify(a, SIGTERM)")
	}
	NotifyOnEnter(&fakeCall{}, b, nil)
	if !programHandles(os.Interrupt) {
		t.Error("Notify(b) is every signal")
	}
	call := &fakeCall{}
	StopOnEnter(call, b)
	if !programHandles(os.Interrupt) {
		t.Error("b forgotten before Stop returned")
	}
	StopOnExit(call)
	if programHandles(os.Interrupt) || !programHandles(syscall.SIGTERM) {
		t.Error("Stop(b)")
	}
	sigState.mu.Lock()
	own := sigState.own
	sigState.mu.Unlock()
	if own != nil {
		NotifyOnEnter(&fakeCall{}, own, []os.Signal{os.Interrupt})
		if programHandles(os.Interrupt) {
			t.Error("the SDK's own channel counted as the program's")
		}
	}
}

// Every hook sdk.json names exists, and every hook is in a rule.
func TestRulesFile(t *testing.T) {
	hooks := map[string]bool{"MainOnEnter": true, "MainOnExit": true, "ExitOnEnter": true, "NotifyOnEnter": true, "StopOnEnter": true, "StopOnExit": true}
	b, err := os.ReadFile("sdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Schema         string `json:"$schema"`
		Library, Gives string
		Path           string
		Metrics        []string
		Rules          []struct {
			Name, ImportPath, Function, ReceiverType, OnEnter, OnExit, Path, Version string
			Order                                                                    int
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, r := range file.Rules {
		if r.Path == "" {
			r.Path = file.Path
		}
		if r.Path != "otelgo.dev/rules/sdk" || r.Name == "" || r.Function == "" {
			t.Errorf("rule %+v", r)
		}
		for _, h := range []string{r.OnEnter, r.OnExit} {
			if h != "" && !hooks[h] {
				t.Errorf("rule %s: unknown hook %s", r.Name, h)
			}
			used[h] = true
		}
	}
	for h := range hooks {
		if !used[h] {
			t.Errorf("hook %s in no rule", h)
		}
	}
}
