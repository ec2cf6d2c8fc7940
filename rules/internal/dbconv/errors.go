package dbconv

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// IsError reports whether err makes a database span an error. sql.ErrNoRows
// (a query that found nothing) and driver.ErrSkip (a driver asking
// database/sql for its fallback path) are outcomes, not failures.
func IsError(err error) bool {
	return err != nil && !errors.Is(err, sql.ErrNoRows) && !errors.Is(err, driver.ErrSkip) && err != io.EOF
}

// ErrorAttributes describes err as the semantic conventions ask:
// db.response.status_code with the most specific code the driver's error
// carries (PostgreSQL's SQLSTATE, MySQL's and MariaDB's error number, SQLite's
// result code, SQL Server's error number), and error.type set to that code,
// or else to the error's Go type (database/sql's and context's sentinel
// errors by their names, e.g. "sql.ErrTxDone").
func ErrorAttributes(err error) []attribute.KeyValue {
	if code := statusCode(err); code != "" {
		return []attribute.KeyValue{semconv.DBResponseStatusCode(code), semconv.ErrorTypeKey.String(code)}
	}
	if name := sentinelName(err); name != "" {
		return []attribute.KeyValue{semconv.ErrorTypeKey.String(name)}
	}
	return []attribute.KeyValue{semconv.ErrorType(err)}
}

var sentinels = []struct {
	err  error
	name string
}{
	{context.Canceled, "context.Canceled"},
	{context.DeadlineExceeded, "context.DeadlineExceeded"},
	{driver.ErrBadConn, "driver.ErrBadConn"},
	{driver.ErrRemoveArgument, "driver.ErrRemoveArgument"},
	{sql.ErrConnDone, "sql.ErrConnDone"},
	{sql.ErrTxDone, "sql.ErrTxDone"},
}

func sentinelName(err error) string {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return ""
}

func statusCode(err error) string {
	var sqlState interface{ SQLState() string } // pgx's *pgconn.PgError, lib/pq's *pq.Error
	if errors.As(err, &sqlState) {
		if s := sqlState.SQLState(); s != "" {
			return s
		}
	}
	var mssql interface{ SQLErrorNumber() int32 } // go-mssqldb
	if errors.As(err, &mssql) {
		return strconv.Itoa(int(mssql.SQLErrorNumber()))
	}
	var sqliteCode interface{ Code() int } // modernc.org/sqlite, glebarez/go-sqlite
	if errors.As(err, &sqliteCode) {
		return strconv.Itoa(sqliteCode.Code())
	}
	// Codes in fields: go-sql-driver's MySQLError.Number, mattn's
	// sqlite3.Error.Code.
	for e, n := err, 0; e != nil && n < 16; e, n = errors.Unwrap(e), n+1 {
		if code := fieldCode(e); code != "" {
			return code
		}
	}
	return ""
}

func fieldCode(err error) string {
	v := reflect.ValueOf(err)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	t := v.Type()
	field := ""
	switch {
	case t.PkgPath() == "github.com/go-sql-driver/mysql" && t.Name() == "MySQLError":
		field = "Number"
	case t.PkgPath() == "github.com/mattn/go-sqlite3" && t.Name() == "Error":
		field = "Code"
	default:
		return ""
	}
	f := v.FieldByName(field)
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(f.Uint(), 10)
	}
	return ""
}
