package dbconv

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/telemetry"
)

// Operation is the CLIENT span of one database operation together with
// what its db.client.operation.duration measurement needs. Hooks of
// libraries that talk to a database without database/sql (pgx, the MongoDB
// driver, memcached clients) start one with Start and end it with End.
type Operation struct {
	span  trace.Span
	ctx   context.Context // the span's
	scope string
	start time.Time
	attrs []attribute.KeyValue // the measurement's attributes
}

// Start starts the CLIENT span name of scope, a child of the span in ctx,
// with attrs. The returned context holds the span.
func Start(ctx context.Context, scope, name string, attrs []attribute.KeyValue) (context.Context, *Operation) {
	start := time.Now()
	ctx, span := telemetry.Tracer(scope).Start(ctx, name,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...), trace.WithTimestamp(start))
	return ctx, &Operation{span: span, ctx: ctx, scope: scope, start: start, attrs: attrs}
}

// Span is the operation's span.
func (o *Operation) Span() trace.Span { return o.span }

// SetName renames the span (an operation whose description is complete
// only at its end, such as a batch).
func (o *Operation) SetName(name string) { o.span.SetName(name) }

// SetAttributes sets kv on the span and on the measurement.
func (o *Operation) SetAttributes(kv ...attribute.KeyValue) {
	o.span.SetAttributes(kv...)
	o.attrs = append(o.attrs[:len(o.attrs):len(o.attrs)], kv...)
}

// End ends the operation: err, when IsError says it is one, sets the
// error status and the attributes of ErrorAttributes.
func (o *Operation) End(err error) {
	if IsError(err) {
		o.Fail(err, ErrorAttributes(err))
	}
	o.finish()
}

// EndWith ends the operation; a non-nil err fails it with errAttrs
// (error.type and db.response.status_code as the caller's system has them).
func (o *Operation) EndWith(err error, errAttrs []attribute.KeyValue) {
	if err != nil {
		o.Fail(err, errAttrs)
	}
	o.finish()
}

// Fail sets the error status with err's text and errAttrs, without ending.
func (o *Operation) Fail(err error, errAttrs []attribute.KeyValue) {
	o.span.SetStatus(codes.Error, err.Error())
	o.SetAttributes(errAttrs...)
}

func (o *Operation) finish() {
	end := time.Now()
	o.span.End(trace.WithTimestamp(end))
	RecordDuration(o.ctx, o.scope, o.start, end, o.attrs)
}

// Batch describes statements sent together to the database of i (a pgx
// Batch): the span name, db.operation.name ("BATCH", or "BATCH INSERT" when
// every statement is an INSERT), db.query.summary ("BATCH" followed by the
// statements' summary when they share one), db.query.text (the texts
// joined by "; ", or the one text when all are the same, each sanitized
// unless it was sent with arguments) and db.operation.batch.size (from two
// statements on).
func (i *Info) Batch(queries []string, parameterized []bool) (name string, attrs []attribute.KeyValue) {
	attrs = make([]attribute.KeyValue, 0, len(i.attrs)+4)
	attrs = append(attrs, i.attrs...)
	if len(queries) == 0 {
		return "BATCH", append(attrs, semconv.DBOperationName("BATCH"))
	}
	texts := make([]string, len(queries))
	op, summary := "", ""
	sameOp, sameSummary, sameText := true, true, true
	for n, q := range queries {
		a := analyze(i.dialect, q)
		texts[n] = q
		if n >= len(parameterized) || !parameterized[n] {
			texts[n] = a.sanitized
		}
		if n == 0 {
			op, summary = a.operation, a.summary
			continue
		}
		sameOp = sameOp && a.operation == op
		sameSummary = sameSummary && a.summary == summary
		sameText = sameText && texts[n] == texts[0]
	}
	opName, name := "BATCH", "BATCH"
	if sameOp && op != "" {
		opName = "BATCH " + op
	}
	if sameSummary && summary != "" {
		name = "BATCH " + summary
		attrs = append(attrs, semconv.DBQuerySummary(name))
	}
	text := texts[0]
	if !sameText {
		text = strings.Join(texts, "; ")
	}
	if len(text) > maxBatchText {
		cut := maxBatchText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + " ..."
	}
	attrs = append(attrs, semconv.DBOperationName(opName), semconv.DBQueryText(text))
	if len(queries) >= 2 {
		attrs = append(attrs, semconv.DBOperationBatchSize(len(queries)))
	}
	return name, attrs
}

// maxBatchText bounds a batch's db.query.text in bytes.
const maxBatchText = 8192
