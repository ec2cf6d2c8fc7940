// Package sdk sets up the OpenTelemetry SDK in every program otelgo builds
// and flushes it when the program ends. otelgo adds
//
//	import _ "otelgo.dev/rules/sdk"
//
// to each main package. Configuration comes only from the standard OTEL_*
// environment variables; the rules in sdk.json flush the SDK when main
// returns, on os.Exit and on SIGINT/SIGTERM.
//
// Setting up never stops the program: a configuration error prints one line
// starting with "otelgo:" to stderr, and the program runs uninstrumented.
package sdk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
)

// ShutdownTimeout bounds the flush at exit, whatever the collector does.
const ShutdownTimeout = 5 * time.Second

// DistroName is the telemetry.distro.name resource attribute.
const DistroName = "otelgo"

// shutdownTimeout is ShutdownTimeout; tests shorten it.
var shutdownTimeout = ShutdownTimeout

// provider is the TracerProvider set up by init, nil if none.
var provider atomic.Pointer[sdktrace.TracerProvider]

func init() {
	if disabled() {
		return
	}
	defer func() {
		// Never let the set-up stop the program.
		if r := recover(); r != nil {
			warn("setting up OpenTelemetry panicked: %v; the program runs without OpenTelemetry instrumentation", r)
		}
	}()
	if err := setup(context.Background()); err != nil {
		warn("%v; the program runs without OpenTelemetry instrumentation", err)
		return
	}
	startSignalHandler()
}

// disabled reports OTEL_SDK_DISABLED=true.
func disabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true")
}

// warn prints one line to stderr.
func warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	msg = strings.ReplaceAll(msg, "\n", " ")
	fmt.Fprintln(os.Stderr, "otelgo: "+msg)
}

// setup installs the global TracerProvider and TextMapPropagator.
func setup(ctx context.Context) error {
	res, err := newResource(ctx)
	if err != nil {
		// A partial resource is still usable (e.g. a malformed
		// OTEL_RESOURCE_ATTRIBUTES entry is dropped).
		warn("resource: %v", err)
	}
	if res == nil {
		res = resource.Empty()
	}

	exp, err := newSpanExporter(ctx)
	if err != nil {
		return fmt.Errorf("cannot create the span exporter: %w (%s)", err, exporterEnv())
	}
	prop := newPropagator()

	// NewTracerProvider reads OTEL_TRACES_SAMPLER/_ARG and OTEL_SPAN_*_LIMIT
	// itself; the batch span processor reads OTEL_BSP_*.
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if exp != nil {
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	installErrorHandler()
	tp := sdktrace.NewTracerProvider(opts...)
	provider.Store(tp)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(prop)
	setupMetrics(ctx, res)
	resourceOf.Store(res)
	return nil
}

// AddSpanExporter adds a batch span processor exporting to exp to the
// TracerProvider set up by init: how an exporter of a package of its own
// (otlpgrpc) joins, from its init.
func AddSpanExporter(exp sdktrace.SpanExporter) {
	if tp := provider.Load(); tp != nil {
		tp.RegisterSpanProcessor(sdktrace.NewBatchSpanProcessor(exp))
	}
}

// resourceOf is the resource init set the providers up with, nil if none.
var resourceOf atomic.Pointer[resource.Resource]

var (
	moreMu       sync.Mutex
	moreShutdown []func(context.Context) error
)

// AfterSetup runs setup with the resource the SDK was set up with, unless
// the SDK is disabled or was not set up, and keeps the shutdown function it
// returns for Shutdown, which calls it after the TracerProvider's and the
// MeterProvider's. An error is reported on stderr, and the rest of the SDK
// keeps working.
//
// It is how a part of the SDK set-up that only some OpenTelemetry releases
// can build joins a program: otelgo.dev/rules/sdk/logs calls it from its
// init, which runs after this package's, and otelgo imports that package
// only when the build's OpenTelemetry has the log API.
func AfterSetup(setup func(context.Context, *resource.Resource) (func(context.Context) error, error)) {
	res := resourceOf.Load()
	if res == nil || provider.Load() == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			warn("setting up OpenTelemetry panicked: %v", r)
		}
	}()
	shutdown, err := setup(context.Background(), res)
	if err != nil {
		warn("%v", err)
	}
	if shutdown != nil {
		moreMu.Lock()
		moreShutdown = append(moreShutdown, shutdown)
		moreMu.Unlock()
	}
}

// shutdownMore calls the shutdown functions AfterSetup kept.
func shutdownMore(ctx context.Context) error {
	moreMu.Lock()
	fns := append([]func(context.Context) error(nil), moreShutdown...)
	moreMu.Unlock()
	var errs []error
	for _, f := range fns {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// exporterEnv lists the set variables that choose the span exporter.
func exporterEnv() string {
	var set []string
	for _, k := range []string{"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if v, ok := os.LookupEnv(k); ok {
			set = append(set, fmt.Sprintf("%s=%q", k, v))
		}
	}
	if len(set) == 0 {
		return "no OTEL_TRACES_EXPORTER set"
	}
	return strings.Join(set, ", ")
}

// newResource describes this process: telemetry.sdk.*, host and process
// basics, service.name defaulting to the executable's base name, and
// OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME, which take precedence.
func newResource(ctx context.Context) (*resource.Resource, error) {
	return resource.New(ctx,
		resource.WithAttributes(
			semconv.ServiceName(defaultServiceName()),
			semconv.TelemetryDistroName(DistroName),
		),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithOSType(),
		resource.WithProcessPID(),
		resource.WithProcessExecutableName(),
		resource.WithProcessRuntimeName(),
		resource.WithProcessRuntimeVersion(),
		resource.WithProcessRuntimeDescription(),
		resource.WithFromEnv(), // last: wins over the defaults above
	)
}

// defaultServiceName is the executable's base name without a Windows .exe.
func defaultServiceName() string {
	if len(os.Args) == 0 || os.Args[0] == "" {
		return "unknown_service:go"
	}
	name := filepath.Base(os.Args[0])
	if ext := filepath.Ext(name); strings.EqualFold(ext, ".exe") {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}

// newPropagator returns the propagators OTEL_PROPAGATORS names (default
// tracecontext,baggage); an unknown name is reported and the default used.
func newPropagator() propagation.TextMapPropagator {
	env := strings.TrimSpace(os.Getenv("OTEL_PROPAGATORS"))
	if env == "" {
		return autoprop.NewTextMapPropagator()
	}
	names := strings.Split(env, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	p, err := autoprop.TextMapPropagator(names...)
	if err != nil {
		warn("OTEL_PROPAGATORS=%q: %v; using tracecontext,baggage", env, err)
		return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return p
}

var shutdownOnce sync.Once

// Shutdown flushes and shuts the SDK down, once; later calls return at once
// (concurrent ones when the first is done). It takes at most
// ShutdownTimeout, even when the collector is down or does not answer.
func Shutdown() {
	shutdownOnce.Do(func() {
		tp := provider.Load()
		if tp == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- errors.Join(tp.Shutdown(ctx), shutdownMetrics(ctx), shutdownMore(ctx)) }()
		var err error
		select {
		case err = <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		// Through the reporter: a collector that has been failing was
		// reported already (or is being reported by the exporter giving up
		// at this very moment), and the flush's failure is the same news.
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				reporter.report(fmt.Errorf("flushing telemetry did not finish within %v; some spans are lost", shutdownTimeout))
			} else {
				reporter.report(fmt.Errorf("flushing telemetry: %w", err))
			}
		}
	})
}

// MainOnExit is the OnExit hook of func main of every main package: the
// program ends when main returns.
func MainOnExit(api.CallContext) {
	Shutdown()
}

// ExitOnEnter is the OnEnter hook of os.Exit(code int): flush before the
// process ends.
func ExitOnEnter(_ api.CallContext, _ int) {
	Shutdown()
}
