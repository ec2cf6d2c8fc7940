// Package store keeps the service's items in a SQL database through
// database/sql, with a CLIENT span and a db.client.operation.duration
// measurement per statement written by hand (contrib has no database/sql
// instrumentation): SQLite (modernc.org/sqlite, a pure-Go driver, in
// memory, one connection) by default, or PostgreSQL through pgx's stdlib
// driver with a pool of connections (the realistic case).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	semdb "go.opentelemetry.io/otel/semconv/v1.39.0/dbconv"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const scope = "example.com/benchtwin/internal/store"

// telemetry is what every statement's span and measurement share: the
// database's attributes (made once, at Open) and the duration histogram.
type telemetry struct {
	system   semdb.SystemNameAttr
	attrs    []attribute.KeyValue // db.system.name, server.address, server.port
	duration semdb.ClientOperationDuration
}

func newTelemetry(driver, dsn string) telemetry {
	t := telemetry{system: semdb.SystemNameSQLite}
	t.attrs = []attribute.KeyValue{semconv.DBSystemNameSQLite}
	if driver == "pgx" {
		t.system = semdb.SystemNamePostgreSQL
		t.attrs = []attribute.KeyValue{semconv.DBSystemNamePostgreSQL}
		if u, err := url.Parse(dsn); err == nil && u.Hostname() != "" {
			t.attrs = append(t.attrs, semconv.ServerAddress(u.Hostname()))
			if port, err := strconv.Atoi(u.Port()); err == nil {
				t.attrs = append(t.attrs, semconv.ServerPort(port))
			}
		}
	}
	d, err := semdb.NewClientOperationDuration(otel.Meter(scope),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10))
	if err != nil {
		otel.Handle(err)
	}
	t.duration = d
	return t
}

// op is one statement under way.
type op struct {
	span  trace.Span
	start time.Time
	name  string
}

// start starts the CLIENT span of one statement.
func (t *telemetry) start(ctx context.Context, name, query string) (context.Context, op) {
	attrs := make([]attribute.KeyValue, 0, len(t.attrs)+3)
	attrs = append(attrs, t.attrs...)
	attrs = append(attrs, semconv.DBOperationName(name), semconv.DBCollectionName("items"), semconv.DBQueryText(query))
	ctx, span := otel.Tracer(scope).Start(ctx, name+" items",
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx, op{span: span, start: time.Now(), name: name}
}

// end ends a statement's span, with the error status if err is not nil,
// and records its duration.
func (t *telemetry) end(ctx context.Context, o op, err error) {
	attrs := make([]attribute.KeyValue, 0, len(t.attrs)+2)
	attrs = append(attrs, t.attrs[1:]...)
	attrs = append(attrs, semconv.DBOperationName(o.name), semconv.DBCollectionName("items"))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		o.span.RecordError(err)
		o.span.SetStatus(codes.Error, err.Error())
		attrs = append(attrs, semconv.ErrorTypeOther)
	}
	t.duration.Record(ctx, time.Since(o.start).Seconds(), t.system, attrs...)
	o.span.End()
}

// ErrNotFound is returned for an item that does not exist.
var ErrNotFound = errors.New("item not found")

// Item is one row of the items table.
type Item struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Price int64  `json:"price"`
}

// Store is the items table.
type Store struct {
	db  *sql.DB
	q   queries
	tel telemetry
}

// queries are the statements in a database's dialect.
type queries struct {
	schema, count, get, list, insert string
	returning                        bool // insert returns the id (PostgreSQL has no LastInsertId)
}

var dialects = map[string]queries{
	"sqlite": {
		schema: `CREATE TABLE IF NOT EXISTS items (
	id    INTEGER PRIMARY KEY AUTOINCREMENT,
	name  TEXT NOT NULL,
	price INTEGER NOT NULL
)`,
		count:  "SELECT COUNT(*) FROM items",
		get:    "SELECT id, name, price FROM items WHERE id = ?",
		list:   "SELECT id, name, price FROM items ORDER BY id LIMIT ?",
		insert: "INSERT INTO items (name, price) VALUES (?, ?)",
	},
	"pgx": {
		schema: `CREATE TABLE IF NOT EXISTS items (
	id    BIGSERIAL PRIMARY KEY,
	name  TEXT NOT NULL,
	price BIGINT NOT NULL
)`,
		count:     "SELECT COUNT(*) FROM items",
		get:       "SELECT id, name, price FROM items WHERE id = $1",
		list:      "SELECT id, name, price FROM items ORDER BY id LIMIT $1",
		insert:    "INSERT INTO items (name, price) VALUES ($1, $2) RETURNING id",
		returning: true,
	},
}

// Open opens the database at dsn with driver ("sqlite" or "pgx"), keeps
// at most pool connections open (SQLite: always one, as an in-memory
// database lives as long as its connection), creates the table and seeds it
// with `seed` items when it is empty.
func Open(ctx context.Context, driver, dsn string, pool, seed int) (*Store, error) {
	q, ok := dialects[driver]
	if !ok {
		return nil, fmt.Errorf("unknown database driver %q (sqlite or pgx)", driver)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	if driver == "sqlite" || pool < 1 {
		pool = 1
	}
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	s := &Store{db: db, q: q, tel: newTelemetry(driver, dsn)}
	if _, err := db.ExecContext(ctx, q.schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, q.count).Scan(&n); err != nil {
		db.Close()
		return nil, err
	}
	for i := n; i < seed; i++ {
		if _, err := s.Insert(ctx, fmt.Sprintf("item-%d", i+1), int64(100+i)); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Get returns the item with the given id.
func (s *Store) Get(ctx context.Context, id int64) (Item, error) {
	ctx, o := s.tel.start(ctx, "SELECT", s.q.get)
	var it Item
	err := s.db.QueryRowContext(ctx, s.q.get, id).Scan(&it.ID, &it.Name, &it.Price)
	s.tel.end(ctx, o, err)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, ErrNotFound
	}
	return it, err
}

// List returns up to limit items, by id.
func (s *Store) List(ctx context.Context, limit int) (_ []Item, err error) {
	ctx, o := s.tel.start(ctx, "SELECT", s.q.list)
	defer func() { s.tel.end(ctx, o, err) }()
	rows, err := s.db.QueryContext(ctx, s.q.list, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.Name, &it.Price); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// Insert adds an item in a transaction and returns it with its id.
func (s *Store) Insert(ctx context.Context, name string, price int64) (_ Item, err error) {
	ctx, o := s.tel.start(ctx, "INSERT", s.q.insert)
	defer func() { s.tel.end(ctx, o, err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Item{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var id int64
	if s.q.returning {
		err = tx.QueryRowContext(ctx, s.q.insert, name, price).Scan(&id)
	} else {
		var res sql.Result
		if res, err = tx.ExecContext(ctx, s.q.insert, name, price); err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return Item{}, err
	}
	if err := tx.Commit(); err != nil {
		return Item{}, err
	}
	return Item{ID: id, Name: name, Price: price}, nil
}
