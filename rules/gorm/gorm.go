// Package gorm holds the hook otelgo splices into gorm.io/gorm: every
// operation of a *gorm.DB (Create, Query, Update, Delete, Row, Raw) gets an
// INTERNAL span, "gorm.Create gadgets", a child of the span in the
// statement's context (db.WithContext(r.Context())). The SQL gorm runs goes
// through database/sql, whose hooks (otelgo.dev/rules/databasesql) make the
// CLIENT span of each statement: they nest under the gorm span, BEGIN and
// COMMIT of gorm's default transaction included.
//
// The hook is on gorm.Open: it registers gorm callbacks first ("*") and
// last in each of those chains. gorm's own OpenTelemetry plugin
// (gorm.io/plugin/opentelemetry/tracing) is not used: it imports the MySQL,
// PostgreSQL and ClickHouse dialects (and their drivers) into every program
// and requires gorm v1.25.10 and more, records query text with the values
// of its arguments by default, lower-cases db.operation.name and makes a
// second CLIENT span above each database/sql one. A program that installs
// that plugin itself ("otelgorm") gets no spans from this hook.
package gorm

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/dbconv"
	"otelgo.dev/rules/internal/telemetry"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/gorm"

// officialPlugin is the name gorm.io/plugin/opentelemetry/tracing
// registers under.
const officialPlugin = "otelgorm"

// OpenOnExit is the OnExit hook of
//
//	func Open(dialector Dialector, opts ...Option) (db *DB, err error)
func OpenOnExit(_ api.CallContext, db *gorm.DB, err error) {
	if err != nil || db == nil || db.Config == nil {
		return
	}
	cb := db.Callback()
	_ = cb.Create().Before("*").Register("otelgo:before_create", before("Create"))
	_ = cb.Create().After("*").Register("otelgo:after_create", after)
	_ = cb.Query().Before("*").Register("otelgo:before_query", before("Query"))
	_ = cb.Query().After("*").Register("otelgo:after_query", after)
	_ = cb.Update().Before("*").Register("otelgo:before_update", before("Update"))
	_ = cb.Update().After("*").Register("otelgo:after_update", after)
	_ = cb.Delete().Before("*").Register("otelgo:before_delete", before("Delete"))
	_ = cb.Delete().After("*").Register("otelgo:after_delete", after)
	_ = cb.Row().Before("*").Register("otelgo:before_row", before("Row"))
	_ = cb.Row().After("*").Register("otelgo:after_row", after)
	_ = cb.Raw().Before("*").Register("otelgo:before_raw", before("Raw"))
	_ = cb.Raw().After("*").Register("otelgo:after_raw", after)
}

type stateKey struct{}

// state is one operation's span and the statement context it replaced.
type state struct {
	span   trace.Span
	parent context.Context
	system string
}

func before(op string) func(*gorm.DB) {
	name := "gorm." + op
	return func(tx *gorm.DB) {
		stmt := tx.Statement
		if stmt == nil || tx.Config == nil {
			return
		}
		if _, ok := tx.Config.Plugins[officialPlugin]; ok {
			return
		}
		parent := stmt.Context
		if parent == nil {
			parent = context.Background()
		}
		system, attrs := describe(tx)
		spanName := name
		if stmt.Table != "" {
			attrs = append(attrs, semconv.DBCollectionName(stmt.Table))
			spanName += " " + stmt.Table
		}
		ctx, span := telemetry.Tracer(ScopeName).Start(parent, spanName, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
		stmt.Context = context.WithValue(ctx, stateKey{}, &state{span, parent, system})
	}
}

// describe is what the spans of tx's operations say of its database: what
// the database/sql hooks learnt when the *sql.DB under it was opened
// (db.system.name, db.namespace, server.address and port), else the name
// of gorm's dialector.
func describe(tx *gorm.DB) (system string, attrs []attribute.KeyValue) {
	if sqlDB, err := tx.DB(); err == nil {
		if info, ok := dbconv.Lookup(sqlDB); ok && info != nil {
			return info.System(), append([]attribute.KeyValue(nil), info.Attributes()...)
		}
	}
	if tx.Dialector != nil {
		system = dbconv.SystemName(tx.Dialector.Name())
	}
	return system, []attribute.KeyValue{semconv.DBSystemNameKey.String(system)}
}

func after(tx *gorm.DB) {
	stmt := tx.Statement
	if stmt == nil || stmt.Context == nil {
		return
	}
	st, ok := stmt.Context.Value(stateKey{}).(*state)
	if !ok {
		return
	}
	stmt.Context = st.parent
	if q := stmt.SQL.String(); q != "" {
		st.span.SetAttributes(semconv.DBQueryText(dbconv.QueryText(st.system, q, len(stmt.Vars) > 0)))
	}
	if err := tx.Error; dbconv.IsError(err) && !errors.Is(err, gorm.ErrRecordNotFound) {
		st.span.SetAttributes(dbconv.ErrorAttributes(err)...)
		st.span.SetStatus(codes.Error, err.Error())
	}
	st.span.End()
}
