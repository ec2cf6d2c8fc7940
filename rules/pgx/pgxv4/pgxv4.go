// Package pgxv4 traces github.com/jackc/pgx/v4 used natively (pgx.Conn,
// pgxpool, transactions, SendBatch, CopyFrom, Prepare): a CLIENT span per
// statement, batch, COPY and explicit Prepare, with the current database
// semantic conventions (otelgo.dev/rules/internal/dbconv) and the
// db.client.operation.duration histogram, like otelgo.dev/rules/pgx does
// for pgx v5. The rules are in pgxv4.json.
//
// pgx v4 has no tracer interface (only a logger that is told of an
// operation when it has ended), so the hooks are on the methods of
// *pgx.Conn that every path goes through: Exec (transactions' BEGIN,
// COMMIT, ROLLBACK and savepoints too), Query (QueryRow and QueryFunc
// call it), SendBatch, CopyFrom and Prepare; pgxpool's connections and
// transactions are *pgx.Conn underneath. A query's span ends when Query
// returns its rows, before they are read (QueryRow needs Query's own rows
// type, so they cannot be wrapped). A batch's span ends when its results
// are closed, and takes the first statement's error.
//
// Connections that pgx's database/sql driver (github.com/jackc/pgx/v4/stdlib)
// opens are left alone: the database/sql hooks trace their statements. The
// hooks on the stdlib connectors' Connect mark the connect's context, and
// only connections made without that mark are traced.
//
// A span's parent is the span in the context given to pgx, else the span
// current on the goroutine.
package pgxv4

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgx/v4"
	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/dbconv"
	"otelgo.dev/rules/internal/weakmap"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/pgx/pgxv4"

// conns holds what is known of every connection to trace.
var conns weakmap.Map[pgx.Conn, *connInfo]

type connInfo struct {
	*dbconv.Info

	mu       sync.Mutex
	prepared map[string]string // the text of statements the program prepared, by name
}

// maxPrepared bounds the names a connection's entry remembers.
const maxPrepared = 256

// text is the statement text of sql: the text of a statement the program
// prepared when sql is its name.
func (c *connInfo) text(sql string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if text, ok := c.prepared[sql]; ok {
		return text
	}
	return sql
}

// opKey marks the context of a statement, batch or COPY being traced.
type opKey struct{}

func withOp(ctx context.Context, op *dbconv.Operation) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

type stdlibConnectKey struct{}

// StdlibConnectOnEnter is the OnEnter hook of
//
//	func (c connector) Connect(ctx context.Context) (driver.Conn, error)
//
// in github.com/jackc/pgx/v4/stdlib: the connection is database/sql's.
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
// in github.com/jackc/pgx/v4/stdlib (sql.Open("pgx", dsn)).
func StdlibDriverConnectOnEnter(call api.CallContext, dc any, ctx context.Context) {
	StdlibConnectOnEnter(call, dc, ctx)
}

// ConnectOnEnter is the OnEnter hook of
//
//	func connect(ctx context.Context, config *ConnConfig) (c *Conn, err error)
func ConnectOnEnter(call api.CallContext, ctx context.Context, config *pgx.ConnConfig) {
	if config == nil || ctx != nil && ctx.Value(stdlibConnectKey{}) != nil {
		return
	}
	call.SetData(&connInfo{Info: dbconv.NewInfo("postgresql", config.Database, config.Host, int(config.Port))})
}

// ConnectOnExit is the OnExit hook of connect.
func ConnectOnExit(call api.CallContext, c *pgx.Conn, err error) {
	if info, ok := call.Data().(*connInfo); ok && c != nil && err == nil {
		conns.Store(c, info)
	}
}

func statement(call api.CallContext, c *pgx.Conn, ctx context.Context, sql string, nargs int) {
	info, ok := conns.Load(c)
	if !ok {
		return
	}
	name, attrs := info.Statement(info.text(sql), nargs > 0)
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, name, attrs)
	call.SetParam(0, withOp(spanCtx, op))
	call.SetData(op)
}

func end(call api.CallContext, err error) {
	if op, ok := call.Data().(*dbconv.Operation); ok {
		op.End(err)
	}
}

// ExecOnEnter is the OnEnter hook of
//
//	func (c *Conn) Exec(ctx context.Context, sql string, arguments ...interface{}) (pgconn.CommandTag, error)
func ExecOnEnter(call api.CallContext, c *pgx.Conn, ctx context.Context, sql string, args []interface{}) {
	statement(call, c, ctx, sql, len(args))
}

// ExecOnExit is the OnExit hook of (*Conn).Exec.
func ExecOnExit(call api.CallContext, _ pgconn.CommandTag, err error) { end(call, err) }

// QueryOnEnter is the OnEnter hook of
//
//	func (c *Conn) Query(ctx context.Context, sql string, args ...interface{}) (Rows, error)
func QueryOnEnter(call api.CallContext, c *pgx.Conn, ctx context.Context, sql string, args []interface{}) {
	statement(call, c, ctx, sql, len(args))
}

// QueryOnExit is the OnExit hook of (*Conn).Query.
func QueryOnExit(call api.CallContext, _ pgx.Rows, err error) { end(call, err) }

// PrepareOnEnter is the OnEnter hook of
//
//	func (c *Conn) Prepare(ctx context.Context, name, sql string) (sd *pgconn.StatementDescription, err error)
//
// The prepares pgx makes itself while running a statement (CopyFrom's
// look-up of column types) are part of that statement's span and get none.
func PrepareOnEnter(call api.CallContext, c *pgx.Conn, ctx context.Context, name string, sql string) {
	info, ok := conns.Load(c)
	if !ok || ctx != nil && ctx.Value(opKey{}) != nil {
		return
	}
	if name != "" && name != sql {
		info.mu.Lock()
		if info.prepared == nil {
			info.prepared = make(map[string]string)
		}
		if len(info.prepared) < maxPrepared {
			info.prepared[name] = sql
		}
		info.mu.Unlock()
	}
	base := info.Attributes()
	attrs := make([]attribute.KeyValue, 0, len(base)+2)
	attrs = append(attrs, base...)
	attrs = append(attrs, semconv.DBOperationName("PREPARE"))
	if sql != "" {
		attrs = append(attrs, semconv.DBQueryText(info.PreparedText(sql)))
	}
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, "PREPARE", attrs)
	call.SetParam(0, spanCtx)
	call.SetData(op)
}

// PrepareOnExit is the OnExit hook of (*Conn).Prepare.
func PrepareOnExit(call api.CallContext, _ *pgconn.StatementDescription, err error) { end(call, err) }

// CopyFromOnEnter is the OnEnter hook of
//
//	func (c *Conn) CopyFrom(ctx context.Context, tableName Identifier, columnNames []string, rowSrc CopyFromSource) (int64, error)
func CopyFromOnEnter(call api.CallContext, c *pgx.Conn, ctx context.Context, tableName pgx.Identifier, columns []string, _ pgx.CopyFromSource) {
	info, ok := conns.Load(c)
	if !ok {
		return
	}
	table := strings.Join(tableName, ".")
	quoted := make([]string, len(columns))
	for i, col := range columns {
		quoted[i] = pgx.Identifier{col}.Sanitize()
	}
	// The statement pgx sends for CopyFrom.
	text := "copy " + tableName.Sanitize() + " ( " + strings.Join(quoted, ", ") + " ) from stdin binary;"
	base := info.Attributes()
	attrs := make([]attribute.KeyValue, 0, len(base)+4)
	attrs = append(attrs, base...)
	attrs = append(attrs, semconv.DBOperationName("COPY"), semconv.DBCollectionName(table),
		semconv.DBQuerySummary("COPY "+table), semconv.DBQueryText(text))
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, "COPY "+table, attrs)
	call.SetParam(0, withOp(spanCtx, op))
	call.SetData(op)
}

// CopyFromOnExit is the OnExit hook of (*Conn).CopyFrom.
func CopyFromOnExit(call api.CallContext, _ int64, err error) { end(call, err) }

// SendBatchOnEnter is the OnEnter hook of
//
//	func (c *Conn) SendBatch(ctx context.Context, b *Batch) BatchResults
func SendBatchOnEnter(call api.CallContext, c *pgx.Conn, ctx context.Context, b *pgx.Batch) {
	info, ok := conns.Load(c)
	if !ok || b == nil {
		return
	}
	queries, parameterized := batchItems(b)
	name, attrs := info.Batch(queries, parameterized)
	spanCtx, op := dbconv.Start(goroutine.Context(ctx), ScopeName, name, attrs)
	call.SetParam(0, withOp(spanCtx, op))
	call.SetData(op)
}

// SendBatchOnExit is the OnExit hook of (*Conn).SendBatch: the results
// end the span when they are closed.
func SendBatchOnExit(call api.CallContext, br pgx.BatchResults) {
	op, ok := call.Data().(*dbconv.Operation)
	if !ok {
		return
	}
	if br == nil {
		op.End(nil)
		return
	}
	call.SetResult(0, &batchResults{BatchResults: br, op: op})
}

// batchItems reads the statements queued in b (pgx v4 keeps them in an
// unexported field: items []*batchItem{query string; arguments []any}).
func batchItems(b *pgx.Batch) (queries []string, parameterized []bool) {
	defer func() {
		if r := recover(); r != nil {
			queries, parameterized = nil, nil
		}
	}()
	items := reflect.ValueOf(b).Elem().FieldByName("items")
	if items.Kind() != reflect.Slice {
		return nil, nil
	}
	for i := 0; i < items.Len(); i++ {
		item := items.Index(i)
		if item.Kind() == reflect.Pointer {
			item = item.Elem()
		}
		if item.Kind() != reflect.Struct {
			return nil, nil
		}
		q, args := item.FieldByName("query"), item.FieldByName("arguments")
		if q.Kind() != reflect.String {
			return nil, nil
		}
		queries = append(queries, q.String())
		parameterized = append(parameterized, args.IsValid() && args.Kind() == reflect.Slice && args.Len() > 0)
	}
	return queries, parameterized
}

// batchResults are a batch's results that end its span when closed.
type batchResults struct {
	pgx.BatchResults
	op   *dbconv.Operation
	err  error
	done bool
}

func (r *batchResults) note(err error) {
	if r.err == nil && dbconv.IsError(err) {
		r.err = err
	}
}

func (r *batchResults) Exec() (pgconn.CommandTag, error) {
	tag, err := r.BatchResults.Exec()
	r.note(err)
	return tag, err
}

func (r *batchResults) Query() (pgx.Rows, error) {
	rows, err := r.BatchResults.Query()
	r.note(err)
	return rows, err
}

func (r *batchResults) QueryFunc(scans []interface{}, f func(pgx.QueryFuncRow) error) (pgconn.CommandTag, error) {
	tag, err := r.BatchResults.QueryFunc(scans, f)
	r.note(err)
	return tag, err
}

func (r *batchResults) Close() error {
	err := r.BatchResults.Close()
	if !r.done {
		r.done = true
		r.note(err)
		func() {
			defer func() {
				if p := recover(); p != nil {
					api.ReportHookPanic(ScopeName+" batch end", p)
				}
			}()
			r.op.End(r.err)
		}()
	}
	return err
}
