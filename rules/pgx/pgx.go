// Package pgx traces github.com/jackc/pgx/v5 used natively (pgx.Conn,
// pgxpool.Pool, their transactions, Batch and CopyFrom): a CLIENT span per
// statement, batch, COPY and explicit Prepare, with the current database
// semantic conventions (otelgo.dev/rules/internal/dbconv) and the
// db.client.operation.duration histogram. The rules are in pgx.json.
//
// How: pgx calls the tracer of a connection's ConnConfig (QueryTracer,
// BatchTracer, CopyFromTracer, PrepareTracer) around every operation. The
// hook on pgx's connect (which Connect, ConnectConfig, ConnectWithOptions
// and every pgxpool connection go through, with a copy of the program's
// config) sets a tracer of ours on that copy, unless the config already
// has one: a program that installed its own tracer (otelpgx, tracelog, a
// multitracer) keeps it alone, and gets no second span per operation.
//
// pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib) opens its
// connections with pgx.ConnectConfig too; those get no tracer, since the
// database/sql hooks (otelgo.dev/rules/databasesql) trace every statement
// run through a *sql.DB already. The hooks on the stdlib connectors' Connect
// mark the context of the connect for that.
//
// Spans: a statement's span is named by its db.query.summary ("SELECT
// users"), with db.query.text as sent (sanitized when sent without
// arguments), db.operation.name, db.namespace (the database connected to),
// server.address and server.port (when not 5432). A query's span ends when
// its rows are closed. A Batch is one span, "BATCH INSERT items" (or
// "BATCH"), with db.operation.batch.size and the statements' texts; the
// first statement that failed fails it. CopyFrom is "COPY items" with
// db.collection.name. Explicit Prepare is "PREPARE". Errors: the span status
// and error.type and db.response.status_code, both the SQLSTATE of the
// server's error. Transactions' BEGIN, COMMIT and ROLLBACK are statements
// pgx runs, with spans of their own.
//
// A span's parent is the span in the context given to pgx, else the span
// current on the goroutine (context.Background() inside a handler).
package pgx

import (
	"context"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/dbconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/pgx"

type stdlibConnectKey struct{}

// StdlibConnectOnEnter is the OnEnter hook of
//
//	func (c connector) Connect(ctx context.Context) (driver.Conn, error)
//
// in github.com/jackc/pgx/v5/stdlib: the connection is database/sql's.
func StdlibConnectOnEnter(call api.CallContext, _ any, ctx context.Context) {
	if ctx == nil {
		return
	}
	call.SetParam(0, context.WithValue(ctx, stdlibConnectKey{}, true))
}

// StdlibDriverConnectOnEnter is the OnEnter hook of
//
//	func (dc *driverConnector) Connect(ctx context.Context) (driver.Conn, error)
//
// in github.com/jackc/pgx/v5/stdlib (sql.Open("pgx", dsn)).
func StdlibDriverConnectOnEnter(call api.CallContext, dc any, ctx context.Context) {
	StdlibConnectOnEnter(call, dc, ctx)
}

// ConnectOnEnter is the OnEnter hook of
//
//	func connect(ctx context.Context, config *ConnConfig) (c *Conn, err error)
//
// config is the connection's own (ConnectConfig copies the program's).
func ConnectOnEnter(_ api.CallContext, ctx context.Context, config *pgx.ConnConfig) {
	if config == nil || config.Tracer != nil {
		return
	}
	if ctx != nil && ctx.Value(stdlibConnectKey{}) != nil {
		return
	}
	config.Tracer = newTracer(config)
}

// tracer traces the operations of one connection.
type tracer struct {
	info *dbconv.Info

	mu       sync.Mutex
	prepared map[string]string // the text of statements the program prepared, by name
}

// maxPrepared bounds the names a tracer remembers.
const maxPrepared = 256

// text is the statement text of sql: the text of a statement the program
// prepared when sql is its name.
func (t *tracer) text(sql string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if text, ok := t.prepared[sql]; ok {
		return text
	}
	return sql
}

func newTracer(config *pgx.ConnConfig) *tracer {
	return &tracer{info: dbconv.NewInfo("postgresql", config.Database, config.Host, int(config.Port))}
}

var (
	_ pgx.QueryTracer    = (*tracer)(nil)
	_ pgx.BatchTracer    = (*tracer)(nil)
	_ pgx.CopyFromTracer = (*tracer)(nil)
	_ pgx.PrepareTracer  = (*tracer)(nil)
)

type (
	opKey      struct{} // the statement, batch or COPY being run
	prepareKey struct{} // the Prepare being run
)

// batchOp is a batch's operation and the statements seen so far.
type batchOp struct {
	op            *dbconv.Operation
	queries       []string
	parameterized []bool
	err           error
}

// pgx calls the tracer from inside its own methods: a panic here would
// reach the program. Each step recovers, reports once, and goes on untraced.
func recoverHook(step string) {
	if r := recover(); r != nil {
		api.ReportHookPanic(ScopeName+" "+step, r)
	}
}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) (out context.Context) {
	out = ctx
	defer recoverHook("query start")
	name, attrs := t.info.Statement(t.text(data.SQL), len(data.Args) > 0)
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, name, attrs)
	return context.WithValue(spanCtx, opKey{}, op)
}

func (t *tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	defer recoverHook("query end")
	if op, ok := ctx.Value(opKey{}).(*dbconv.Operation); ok {
		op.End(data.Err)
	}
}

func (t *tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) (out context.Context) {
	out = ctx
	defer recoverHook("batch start")
	attrs := append([]attribute.KeyValue(nil), t.info.Attributes()...)
	n := 0
	if data.Batch != nil {
		n = data.Batch.Len()
	}
	if n >= 2 {
		attrs = append(attrs, semconv.DBOperationBatchSize(n))
	}
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, "BATCH", attrs)
	return context.WithValue(spanCtx, opKey{}, &batchOp{op: op})
}

func (t *tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	defer recoverHook("batch query")
	b, ok := ctx.Value(opKey{}).(*batchOp)
	if !ok {
		return
	}
	b.queries = append(b.queries, data.SQL)
	b.parameterized = append(b.parameterized, len(data.Args) > 0)
	if b.err == nil && dbconv.IsError(data.Err) {
		b.err = data.Err
	}
}

func (t *tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	defer recoverHook("batch end")
	b, ok := ctx.Value(opKey{}).(*batchOp)
	if !ok {
		return
	}
	name, attrs := t.info.Batch(b.queries, b.parameterized)
	b.op.SetName(name)
	b.op.SetAttributes(attrs[len(t.info.Attributes()):]...)
	err := b.err
	if err == nil {
		err = data.Err
	}
	b.op.End(err)
}

func (t *tracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) (out context.Context) {
	out = ctx
	defer recoverHook("copy start")
	table := strings.Join(data.TableName, ".")
	quoted := make([]string, len(data.ColumnNames))
	for i, c := range data.ColumnNames {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	// The statement pgx sends for CopyFrom.
	text := "copy " + data.TableName.Sanitize() + " ( " + strings.Join(quoted, ", ") + " ) from stdin binary;"
	base := t.info.Attributes()
	attrs := make([]attribute.KeyValue, 0, len(base)+4)
	attrs = append(attrs, base...)
	attrs = append(attrs,
		semconv.DBOperationName("COPY"),
		semconv.DBCollectionName(table),
		semconv.DBQuerySummary("COPY "+table),
		semconv.DBQueryText(text),
	)
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, "COPY "+table, attrs)
	return context.WithValue(spanCtx, opKey{}, op)
}

func (t *tracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	defer recoverHook("copy end")
	if op, ok := ctx.Value(opKey{}).(*dbconv.Operation); ok {
		op.End(data.Err)
	}
}

// TracePrepareStart starts the span of a Prepare the program called. The
// prepares pgx makes itself while running a statement (its statement
// cache, CopyFrom's look-up of column types) are part of that statement's
// span and get none.
func (t *tracer) TracePrepareStart(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareStartData) (out context.Context) {
	out = ctx
	defer recoverHook("prepare start")
	if ctx.Value(opKey{}) != nil {
		return ctx
	}
	if data.Name != "" && data.Name != data.SQL {
		t.mu.Lock()
		if t.prepared == nil {
			t.prepared = make(map[string]string)
		}
		if len(t.prepared) < maxPrepared {
			t.prepared[data.Name] = data.SQL
		}
		t.mu.Unlock()
	}
	base := t.info.Attributes()
	attrs := make([]attribute.KeyValue, 0, len(base)+2)
	attrs = append(attrs, base...)
	attrs = append(attrs, semconv.DBOperationName("PREPARE"))
	if data.SQL != "" {
		attrs = append(attrs, semconv.DBQueryText(t.info.PreparedText(data.SQL)))
	}
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, "PREPARE", attrs)
	return context.WithValue(spanCtx, prepareKey{}, op)
}

func (t *tracer) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareEndData) {
	defer recoverHook("prepare end")
	if op, ok := ctx.Value(prepareKey{}).(*dbconv.Operation); ok {
		op.End(data.Err)
	}
}
