// Package rpcmetrics records the RPC call durations of the conventions,
// rpc.server.call.duration and rpc.client.call.duration, for the hooks of
// RPC stacks that write their own spans (grpc, kitex), with instruments
// made once per instrumentation scope.
package rpcmetrics

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/semconv/rpcconv"
	"otelgo.dev/rules/internal/telemetry"
)

type durations struct {
	server rpcconv.ServerCallDuration
	client rpcconv.ClientCallDuration
}

var instruments = telemetry.NewInstruments(func(m metric.Meter) durations {
	server, _ := rpcconv.NewServerCallDuration(m)
	client, _ := rpcconv.NewClientCallDuration(m)
	return durations{server, client}
})

// Record records one call's duration in seconds: in the server's
// histogram for a SERVER span's kind, else in the client's.
func Record(ctx context.Context, scope string, kind trace.SpanKind, seconds float64,
	system rpcconv.SystemNameAttr, attrs ...attribute.KeyValue) {
	d := instruments.Get(scope)
	if kind == trace.SpanKindServer {
		d.server.Record(ctx, seconds, system, attrs...)
	} else {
		d.client.Record(ctx, seconds, system, attrs...)
	}
}
