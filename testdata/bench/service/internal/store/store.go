// Package store keeps the service's items in a SQL database through
// database/sql: SQLite (modernc.org/sqlite, a pure-Go driver, in memory,
// one connection) by default, or PostgreSQL through pgx's stdlib driver
// with a pool of connections (the realistic case).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

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
	q  queries
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
	s := &Store{db: db, q: q}
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
	var it Item
	err := s.db.QueryRowContext(ctx, s.q.get, id).Scan(&it.ID, &it.Name, &it.Price)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, ErrNotFound
	}
	return it, err
}

// List returns up to limit items, by id.
func (s *Store) List(ctx context.Context, limit int) ([]Item, error) {
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
func (s *Store) Insert(ctx context.Context, name string, price int64) (Item, error) {
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
