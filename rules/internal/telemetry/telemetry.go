// Package telemetry hands the hooks their tracer and meter: those of the
// hook's instrumentation scope, with the schema URL of the semantic
// conventions the hooks follow (semconv.SchemaURL), from the global
// providers as they are at the call. A program that installs its own
// TracerProvider or MeterProvider after otelgo's SDK set-up has its
// provider used from then on.
//
// Asking a provider for a tracer on every hooked call would cost the
// options' allocations and the provider's lookup each time: the tracer and
// meter of each scope are kept, together with the provider they came from,
// and handed out again for as long as the global provider is that one.
package telemetry

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
)

var (
	tracers scoped[entry[trace.TracerProvider, trace.Tracer]]
	meters  scoped[entry[metric.MeterProvider, metric.Meter]]
)

// Tracer returns the tracer of scope from the global TracerProvider, with
// the semantic conventions' schema URL.
func Tracer(scope string) trace.Tracer {
	return lookup(tracers.slot(scope), otel.GetTracerProvider(), scope, newTracer).v
}

// Meter returns the meter of scope from the global MeterProvider, with the
// semantic conventions' schema URL.
func Meter(scope string) metric.Meter {
	return meter(scope).v
}

func meter(scope string) *entry[metric.MeterProvider, metric.Meter] {
	return lookup(meters.slot(scope), otel.GetMeterProvider(), scope, newMeter)
}

func newTracer(tp trace.TracerProvider, scope string) trace.Tracer {
	return tp.Tracer(scope, trace.WithSchemaURL(semconv.SchemaURL))
}

func newMeter(mp metric.MeterProvider, scope string) metric.Meter {
	return mp.Meter(scope, metric.WithSchemaURL(semconv.SchemaURL))
}

// Instruments are what a hook makes from the meter of a scope (its
// histograms, counters): made on first use, and made again from the new
// meter when the global MeterProvider has changed since.
type Instruments[T any] struct {
	build func(metric.Meter) T
	built scoped[madeFrom[T]]
}

type madeFrom[T any] struct {
	meter *entry[metric.MeterProvider, metric.Meter]
	v     T
}

// NewInstruments returns Instruments made by build, which reports its
// errors (otel.Handle) and returns what it could make.
func NewInstruments[T any](build func(metric.Meter) T) *Instruments[T] {
	return &Instruments[T]{build: build}
}

// Get returns the instruments of scope, made from Meter(scope).
func (i *Instruments[T]) Get(scope string) T {
	m := meter(scope)
	slot := i.built.slot(scope)
	if b := slot.Load(); b != nil && b.meter == m {
		return b.v
	}
	// Two goroutines may both make them: an SDK hands out the same
	// instrument for the same definition.
	b := &madeFrom[T]{meter: m, v: i.build(m.v)}
	slot.Store(b)
	return b.v
}

// entry is what a provider gave for a scope.
type entry[P comparable, V any] struct {
	provider P
	v        V
}

// lookup returns the entry in slot when it came from provider, and else
// makes one with build and keeps it in slot.
func lookup[P comparable, V any](slot *atomic.Pointer[entry[P, V]], provider P, scope string, build func(P, string) V) *entry[P, V] {
	if e := slot.Load(); e != nil && e.provider == provider {
		return e
	}
	e := &entry[P, V]{provider: provider, v: build(provider, scope)}
	if selfEqual(provider) {
		slot.Store(e)
	}
	return e
}

// selfEqual reports whether p == p holds without a panic. Only such a
// provider is kept: comparing another provider with it can then never
// panic (a provider type holding a slice or a map, compared with ==,
// would), and one that is not kept is asked again on every call.
func selfEqual[P comparable](p P) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return p == p
}

// scoped holds one atomic pointer per scope. The map is copied on write
// (there are a few scopes, added once each), so that reading it takes no
// lock and allocates nothing.
type scoped[V any] struct {
	mu sync.Mutex
	m  atomic.Pointer[map[string]*atomic.Pointer[V]]
}

func (s *scoped[V]) slot(scope string) *atomic.Pointer[V] {
	if m := s.m.Load(); m != nil {
		if p, ok := (*m)[scope]; ok {
			return p
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.m.Load()
	if old != nil {
		if p, ok := (*old)[scope]; ok {
			return p
		}
	}
	m := make(map[string]*atomic.Pointer[V])
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	p := new(atomic.Pointer[V])
	m[scope] = p
	s.m.Store(&m)
	return p
}
