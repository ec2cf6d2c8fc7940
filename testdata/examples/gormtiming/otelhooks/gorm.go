// Package otelhooks holds the hooks that rules.json splices into gorm: a
// span "gorm.callbacks <operation>" around each run of a callback chain
// (create, query, update, delete, row, raw), so its duration is the time
// gorm's callbacks took, SQL included.
package otelhooks

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"otelgo.dev/rules/api"
)

// run is what ExecuteOnEnter keeps for ExecuteOnExit.
type run struct {
	span   trace.Span
	stmt   *gorm.Statement
	parent context.Context
}

// ExecuteOnEnter runs before
//
//	func (p *processor) Execute(db *DB) *DB
//
// in gorm (callbacks.go) runs the callbacks of one operation. *processor is
// unexported, so the hook receives it as any.
func ExecuteOnEnter(call api.CallContext, p any, db *gorm.DB) {
	if db == nil || db.Config == nil || db.Statement == nil {
		return
	}
	stmt := db.Statement
	parent := stmt.Context
	if parent == nil {
		parent = context.Background()
	}
	op := operation(p, db)
	tracer := otel.GetTracerProvider().Tracer("example.com/notes/otelhooks")
	ctx, span := tracer.Start(parent, "gorm.callbacks "+op,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("gorm.operation", op)))
	// The callbacks, and the SQL they run, see the new span as their parent.
	stmt.Context = ctx
	call.SetData(&run{span, stmt, parent})
}

// ExecuteOnExit runs when Execute returns the *DB the callbacks worked on.
func ExecuteOnExit(call api.CallContext, db *gorm.DB) {
	r, ok := call.Data().(*run)
	if !ok {
		return
	}
	r.stmt.Context = r.parent // as it was: the statement may run again
	if db != nil {
		if db.Statement != nil && db.Statement.Table != "" {
			r.span.SetAttributes(semconv.DBCollectionName(db.Statement.Table))
		}
		r.span.SetAttributes(attribute.Int64("gorm.rows_affected", db.RowsAffected))
		if err := db.Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			r.span.RecordError(err)
			r.span.SetStatus(codes.Error, err.Error())
		}
	}
	r.span.End()
}

// operation names the callback chain p by comparing it with the chains
// of db, which gorm hands out through exported methods.
func operation(p any, db *gorm.DB) string {
	cb := db.Callback()
	switch p {
	case any(cb.Create()):
		return "create"
	case any(cb.Query()):
		return "query"
	case any(cb.Update()):
		return "update"
	case any(cb.Delete()):
		return "delete"
	case any(cb.Row()):
		return "row"
	case any(cb.Raw()):
		return "raw"
	}
	return "unknown"
}
