package genaihttp

import (
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "otelgo.dev/rules/internal/semconv"
	semgenai "otelgo.dev/rules/internal/semconv/genaiconv"

	"otelgo.dev/rules/internal/telemetry"
)

// The bucket boundaries the GenAI conventions advise for each histogram.
var (
	durationBuckets = metric.WithExplicitBucketBoundaries(
		0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
	tokenBuckets = metric.WithExplicitBucketBoundaries(
		1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
)

type instruments struct {
	duration semgenai.ClientOperationDuration
	tokens   semgenai.ClientTokenUsage
}

var meters = telemetry.NewInstruments(func(m metric.Meter) instruments {
	d, err := semgenai.NewClientOperationDuration(m, durationBuckets)
	if err != nil {
		otel.Handle(err)
	}
	t, err := semgenai.NewClientTokenUsage(m, tokenBuckets)
	if err != nil {
		otel.Handle(err)
	}
	return instruments{duration: d, tokens: t}
})

// record records the call's gen_ai.client.operation.duration and, for the
// token counts the response reported, gen_ai.client.token.usage.
func (cl *call) record(end time.Time) {
	ins := meters.Get(cl.client.scope)
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, cl.op, cl.provider)
	if cl.model != "" {
		attrs = append(attrs, semconv.GenAIRequestModel(cl.model))
	}
	if cl.responseModel != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(cl.responseModel))
	}
	if cl.address != "" {
		attrs = append(attrs, semconv.ServerAddress(cl.address))
		if cl.port > 0 {
			attrs = append(attrs, semconv.ServerPort(cl.port))
		}
	}
	// attribute.NewSet sorts the slice it is given: each set gets its own.
	with := func(kv ...attribute.KeyValue) attribute.Set {
		all := make([]attribute.KeyValue, 0, len(attrs)+len(kv))
		return attribute.NewSet(append(append(all, attrs...), kv...)...)
	}
	if cl.errType != "" {
		ins.duration.RecordSet(cl.ctx, end.Sub(cl.start).Seconds(), with(semconv.ErrorTypeKey.String(cl.errType)))
	} else {
		ins.duration.RecordSet(cl.ctx, end.Sub(cl.start).Seconds(), with())
	}
	if cl.hasInput {
		ins.tokens.RecordSet(cl.ctx, int64(cl.inputTokens), with(semconv.GenAITokenTypeInput))
	}
	if cl.hasOutput {
		ins.tokens.RecordSet(cl.ctx, int64(cl.outputTokens), with(semconv.GenAITokenTypeOutput))
	}
}
