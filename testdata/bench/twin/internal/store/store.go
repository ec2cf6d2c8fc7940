// Package store keeps the service's items in SQLite (modernc.org/sqlite, a
// pure-Go driver) through database/sql, with a CLIENT span per statement
// written by hand (contrib has no database/sql instrumentation).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// startSpan starts the CLIENT span of one statement.
func startSpan(ctx context.Context, op, query string) (context.Context, trace.Span) {
	return otel.Tracer("example.com/benchtwin/internal/store").Start(ctx, op+" items",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			semconv.DBSystemNameSQLite,
			semconv.DBOperationName(op),
			semconv.DBCollectionName("items"),
			semconv.DBQueryText(query),
		))
}

// endSpan ends a span, with the error status if err is not nil.
func endSpan(span trace.Span, err error) {
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
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
	db *sql.DB
}

const schema = `CREATE TABLE IF NOT EXISTS items (
	id    INTEGER PRIMARY KEY AUTOINCREMENT,
	name  TEXT NOT NULL,
	price INTEGER NOT NULL
)`

// Open opens the database at dsn, creates the table and seeds it with
// `seed` items when it is empty.
func Open(ctx context.Context, dsn string, seed int) (*Store, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection: an in-memory database lives as long as its connection.
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM items").Scan(&n); err != nil {
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
	const query = "SELECT id, name, price FROM items WHERE id = ?"
	ctx, span := startSpan(ctx, "SELECT", query)
	var it Item
	err := s.db.QueryRowContext(ctx, query, id).Scan(&it.ID, &it.Name, &it.Price)
	endSpan(span, err)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, ErrNotFound
	}
	return it, err
}

// List returns up to limit items, by id.
func (s *Store) List(ctx context.Context, limit int) (_ []Item, err error) {
	const query = "SELECT id, name, price FROM items ORDER BY id LIMIT ?"
	ctx, span := startSpan(ctx, "SELECT", query)
	defer func() { endSpan(span, err) }()
	rows, err := s.db.QueryContext(ctx, query, limit)
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
	const query = "INSERT INTO items (name, price) VALUES (?, ?)"
	ctx, span := startSpan(ctx, "INSERT", query)
	defer func() { endSpan(span, err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Item{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	res, err := tx.ExecContext(ctx, query, name, price)
	if err != nil {
		return Item{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Item{}, err
	}
	if err := tx.Commit(); err != nil {
		return Item{}, err
	}
	return Item{ID: id, Name: name, Price: price}, nil
}
