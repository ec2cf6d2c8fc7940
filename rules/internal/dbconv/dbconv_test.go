package dbconv

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		d          dialect
		q          string
		op, sum    string
		sanitized  string // "" means unchanged
		parameters bool
	}{
		{dialectPostgres, "SELECT * FROM wuser_table WHERE username = $1", "SELECT", "SELECT wuser_table", "", true},
		{dialectANSI, "SELECT *\nFROM   wuser_table\nWHERE  username = ?", "SELECT", "SELECT wuser_table", "", true},
		{dialectANSI, "INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = ?",
			"INSERT", "INSERT shipping_details SELECT orders", "", true},
		{dialectANSI, "SELECT * FROM songs, artists WHERE songs.artist_id == artists.id", "SELECT", "SELECT songs artists", "", false},
		{dialectANSI, "SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id)",
			"SELECT", "SELECT SELECT orders customers", "", false},
		{dialectPostgres, `SELECT * FROM "song list", 'artists'`, "SELECT", `SELECT "song list"`, `SELECT * FROM "song list", ?`, false},
		{dialectMySQL, "select name from items where id = ?", "select", "select items", "", true},
		{dialectSQLite, "INSERT INTO items (id, name) VALUES (?, ?)", "INSERT", "INSERT items", "", true},
		{dialectPostgres, "UPDATE items SET name = $1 WHERE id = $2", "UPDATE", "UPDATE items", "", true},
		{dialectANSI, "DELETE FROM items WHERE id = 7", "DELETE", "DELETE items", "DELETE FROM items WHERE id = ?", false},
		{dialectANSI, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", "CREATE", "CREATE items", "", false},
		{dialectANSI, "CREATE TABLE IF NOT EXISTS items (id INTEGER, name VARCHAR(64) DEFAULT 'x')", "CREATE", "CREATE items",
			"CREATE TABLE IF NOT EXISTS items (id INTEGER, name VARCHAR(64) DEFAULT ?)", false},
		{dialectANSI, "DROP TABLE IF EXISTS items", "DROP", "DROP items", "", false},
		{dialectANSI, "TRUNCATE TABLE items", "TRUNCATE", "TRUNCATE items", "", false},
		{dialectANSI, "ALTER TABLE public.items ADD COLUMN x INT", "ALTER", "ALTER public.items", "", false},
		{dialectANSI, "CREATE INDEX idx_name ON items (name)", "CREATE", "CREATE idx_name", "", false},
		{dialectMySQL, "SELECT * FROM `otelgo`.`users` u WHERE u.`id` = ? LIMIT 1", "SELECT", "SELECT `otelgo`.`users`",
			"SELECT * FROM `otelgo`.`users` u WHERE u.`id` = ? LIMIT ?", true},
		{dialectMySQL, `SELECT * FROM users WHERE name = "bob" AND note = 'it''s' # trailing`, "SELECT", "SELECT users",
			"SELECT * FROM users WHERE name = ? AND note = ? # trailing", false},
		{dialectPostgres, `SELECT "name" FROM "users" WHERE "id" = 3 AND active = true`, "SELECT", `SELECT "users"`,
			`SELECT "name" FROM "users" WHERE "id" = ? AND active = ?`, false},
		{dialectPostgres, "SELECT $tag$it's$tag$, E'a\\'b', x'0F', 1.5e3, 0xFF FROM t", "SELECT", "SELECT t",
			"SELECT ?, ?, ?, ?, ? FROM t", false},
		{dialectPostgres, "SELECT id::text FROM t WHERE id = $1", "SELECT", "SELECT t", "", true},
		{dialectANSI, "SELECT COUNT(*) FROM items WHERE name <> 'secret'", "SELECT", "SELECT items",
			"SELECT COUNT(*) FROM items WHERE name <> ?", false},
		{dialectANSI, "SELECT EXTRACT(YEAR FROM created) FROM events", "SELECT", "SELECT events", "", false},
		{dialectANSI, "SELECT 1", "SELECT", "SELECT", "SELECT ?", false},
		{dialectANSI, "  /* hello */ -- x\n select now()", "select", "select", "", false},
		{dialectANSI, "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent", "SELECT", "SELECT orders SELECT recent", "", false},
		{dialectMySQL, "INSERT INTO t (a) VALUES (?) ON DUPLICATE KEY UPDATE a = VALUES(a)", "INSERT", "INSERT t", "", true},
		{dialectPostgres, "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a", "INSERT", "INSERT t", "", true},
		{dialectPostgres, "SELECT * FROM t FOR UPDATE", "SELECT", "SELECT t", "", false},
		{dialectANSI, "CREATE TABLE a (id INT REFERENCES b(id) ON DELETE CASCADE)", "CREATE", "CREATE a", "", false},
		{dialectANSI, "SELECT * FROM a LEFT JOIN b ON a.id = b.id INNER JOIN c AS cc ON cc.x = b.x", "SELECT", "SELECT a b c", "", false},
		{dialectSQLite, "INSERT OR REPLACE INTO kv (k, v) VALUES (:k, @v)", "INSERT", "INSERT kv", "", true},
		{dialectSQLite, "SELECT [name] FROM [my table]", "SELECT", "SELECT [my table]", "", false},
		{dialectANSI, "BEGIN", "BEGIN", "BEGIN", "", false},
		{dialectSQLite, "PRAGMA foreign_keys = ON", "PRAGMA", "PRAGMA", "", false},
		{dialectANSI, "SET search_path TO 'x'", "SET", "SET", "SET search_path TO ?", false},
		{dialectANSI, "EXPLAIN SELECT * FROM t", "EXPLAIN", "EXPLAIN SELECT t", "", false},
		{dialectANSI, "SELECT 1; DROP TABLE t", "SELECT", "SELECT DROP t", "SELECT ?; DROP TABLE t", false},
		{dialectANSI, "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v", "MERGE", "MERGE t s", "", false},
		{dialectANSI, "CALL refresh_stats()", "CALL", "CALL refresh_stats", "", false},
		{dialectANSI, "", "", "", "", false},
		{dialectANSI, "SELECT 'unterminated", "SELECT", "SELECT", "SELECT ?", false},
		{dialectANSI, "SELECT t1.c2 FROM t1", "SELECT", "SELECT t1", "", false},
	}
	for _, tt := range tests {
		a := analyzeUncached(tt.d, tt.q)
		want := tt.sanitized
		if want == "" {
			want = tt.q
		}
		if a.operation != tt.op || a.summary != tt.sum || a.sanitized != want || a.hasParams != tt.parameters {
			t.Errorf("analyze(%q)\n got op=%q summary=%q sanitized=%q params=%v\nwant op=%q summary=%q sanitized=%q params=%v",
				tt.q, a.operation, a.summary, a.sanitized, a.hasParams, tt.op, tt.sum, want, tt.parameters)
		}
	}
}

func TestSummaryTruncated(t *testing.T) {
	q := "SELECT * FROM "
	for i := 0; i < 100; i++ {
		if i > 0 {
			q += ", "
		}
		q += fmt.Sprintf("table_number_%03d", i)
	}
	s := analyzeUncached(dialectANSI, q).summary
	if len(s) > maxSummary || len(s) < maxSummary-20 {
		t.Fatalf("summary of %d chars: %q", len(s), s)
	}
	if s[len(s)-3:] != "" && s[len(s)-16:len(s)-3] != "table_number_" {
		t.Fatalf("summary cut inside a name: %q", s)
	}
}

func TestAnalyzeCache(t *testing.T) {
	for i := 0; i < maxCached*3; i++ {
		analyze(dialectANSI, fmt.Sprintf("SELECT %d", i))
	}
	if n := cache.len(); n > maxCached {
		t.Fatalf("cache holds %d analyses", n)
	}
}

func TestParseDSN(t *testing.T) {
	t.Setenv("PGHOST", "")
	t.Setenv("PGPORT", "")
	t.Setenv("PGDATABASE", "")
	tests := []struct {
		system, dsn string
		want        Endpoint
	}{
		{"postgresql", "postgres://otelgo@127.0.0.1:5433/otelgo?sslmode=disable", Endpoint{"otelgo", "127.0.0.1", 5433}},
		{"postgresql", "postgresql://u:p%40ss@db.example.com/app", Endpoint{"app", "db.example.com", 5432}},
		{"postgresql", "postgres://u@h1:5001,h2:5002/app", Endpoint{"app", "h1", 5001}},
		{"postgresql", "postgres://[::1]:6000/app", Endpoint{"app", "::1", 6000}},
		{"postgresql", "postgres:///app?host=/var/run/postgresql", Endpoint{"app", "/var/run/postgresql", 0}},
		{"postgresql", "host=10.0.0.5 port=6432 dbname='my db' user=x password='a b'", Endpoint{"my db", "10.0.0.5", 6432}},
		{"postgresql", "dbname=app", Endpoint{"app", "localhost", 5432}},
		{"postgresql", "postgres://h/app?search_path=sales,public", Endpoint{"app|sales", "h", 5432}},
		{"postgresql", "host=h search_path='\"$user\", public'", Endpoint{"", "h", 5432}},
		{"mysql", "root@tcp(127.0.0.1:3307)/otelgo", Endpoint{"otelgo", "127.0.0.1", 3307}},
		{"mysql", "user:pa/ss@tcp(db:3306)/shop?parseTime=true", Endpoint{"shop", "db", 3306}},
		{"mysql", "user@tcp(db)/shop", Endpoint{"shop", "db", 3306}},
		{"mysql", "/shop", Endpoint{"shop", "127.0.0.1", 3306}},
		{"mysql", "u@unix(/run/mysqld/mysqld.sock)/shop", Endpoint{"shop", "/run/mysqld/mysqld.sock", 0}},
		{"sqlite", "/tmp/app.db", Endpoint{Namespace: "/tmp/app.db"}},
		{"sqlite", "file:app.db?_pragma=busy_timeout(5000)", Endpoint{Namespace: "app.db"}},
		{"sqlite", ":memory:", Endpoint{}},
		{"sqlite", "file::memory:?cache=shared", Endpoint{}},
		{"sqlite", "file:x?mode=memory", Endpoint{}},
		{"microsoft.sql_server", "sqlserver://sa:pw@sql.example.com:1444?database=shop", Endpoint{"shop", "sql.example.com", 1444}},
		{"microsoft.sql_server", "server=sql.example.com;user id=sa;database=shop", Endpoint{"shop", "sql.example.com", 1433}},
		{"clickhouse", "clickhouse://u:p@ch:9000/metrics", Endpoint{"metrics", "ch", 9000}},
		{"other_sql", "whatever", Endpoint{}},
	}
	for _, tt := range tests {
		if got := ParseDSN(tt.system, tt.dsn); got != tt.want {
			t.Errorf("ParseDSN(%q, %q) = %+v, want %+v", tt.system, tt.dsn, got, tt.want)
		}
	}
}

func TestInfoAttributes(t *testing.T) {
	got := attrMap(NewInfo("postgresql", "app", "db", 5432).attrs)
	want := map[string]string{"db.system.name": "postgresql", "db.namespace": "app", "server.address": "db"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("default port: %v, want %v", got, want)
	}
	got = attrMap(NewInfo("mysql", "", "db", 3307).attrs)
	want = map[string]string{"db.system.name": "mysql", "server.address": "db", "server.port": "3307"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("other port: %v, want %v", got, want)
	}
	if got := attrMap(NewInfo("", "", "", 0).attrs); got["db.system.name"] != "other_sql" {
		t.Errorf("unknown system: %v", got)
	}
}

func TestParseDSNPostgresEnvironment(t *testing.T) {
	t.Setenv("PGHOST", "pg.internal")
	t.Setenv("PGPORT", "7000")
	t.Setenv("PGDATABASE", "envdb")
	if got, want := ParseDSN("postgresql", "user=x"), (Endpoint{"envdb", "pg.internal", 7000}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// Connectors as drivers build them, in miniature.
type pgConfig struct {
	Host     string
	Port     uint16
	Database string
	User     string
	Password string
}
type pgConnConfig struct {
	pgConfig
	connString string
}
type pgConnector struct {
	pgConnConfig
	driver driver.Driver
}

func (c *pgConnector) Connect(context.Context) (driver.Conn, error) { return nil, errors.New("no") }
func (c *pgConnector) Driver() driver.Driver                        { return c.driver }

type myConfig struct {
	User, Passwd, Net, Addr, DBName string
}
type myConnector struct{ cfg *myConfig }

func (c *myConnector) Connect(context.Context) (driver.Conn, error) { return nil, errors.New("no") }
func (c *myConnector) Driver() driver.Driver                        { return nil }

type dsnOnly struct {
	dsn    string
	driver driver.Driver
}

func (c dsnOnly) Connect(context.Context) (driver.Conn, error) { return nil, errors.New("no") }
func (c dsnOnly) Driver() driver.Driver                        { return c.driver }

func TestConnectorEndpoint(t *testing.T) {
	pg := &pgConnector{pgConnConfig: pgConnConfig{pgConfig{"10.1.2.3", 5555, "shop", "u", "secret"}, "ignored"}}
	if got, want := ConnectorEndpoint("postgresql", pg), (Endpoint{"shop", "10.1.2.3", 5555}); got != want {
		t.Errorf("pgx-like: got %+v, want %+v", got, want)
	}
	my := &myConnector{&myConfig{"root", "pw", "tcp", "127.0.0.1:3307", "otelgo"}}
	if got, want := ConnectorEndpoint("mysql", my), (Endpoint{"otelgo", "127.0.0.1", 3307}); got != want {
		t.Errorf("mysql-like: got %+v, want %+v", got, want)
	}
	d := dsnOnly{dsn: "root@tcp(db:3306)/x"}
	if got, want := ConnectorEndpoint("mysql", d), (Endpoint{"x", "db", 3306}); got != want {
		t.Errorf("dsn connector: got %+v, want %+v", got, want)
	}
	if got := ConnectorEndpoint("mysql", nil); got != (Endpoint{}) {
		t.Errorf("nil connector: %+v", got)
	}
}

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, errors.New("no") }

func TestSystemOfDriver(t *testing.T) {
	if got := DriverSystem(fakeDriver{}); got != "" {
		t.Errorf("unknown driver: %q", got)
	}
	if got := DriverSystem(nil); got != "" {
		t.Errorf("nil driver: %q", got)
	}
	if got := systemOfName("pgx"); got != "postgresql" {
		t.Errorf("pgx: %q", got)
	}
	if got := systemOfName("sqlite3"); got != "sqlite" {
		t.Errorf("sqlite3: %q", got)
	}
}

type pgError struct{ code string }

func (e *pgError) Error() string    { return "pg: " + e.code }
func (e *pgError) SQLState() string { return e.code }

type sqliteError struct{ code int }

func (e *sqliteError) Error() string { return "sqlite" }
func (e *sqliteError) Code() int     { return e.code }

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

func TestErrors(t *testing.T) {
	for _, err := range []error{nil, sql.ErrNoRows, driver.ErrSkip, fmt.Errorf("wrapped: %w", sql.ErrNoRows), io.EOF} {
		if IsError(err) {
			t.Errorf("IsError(%v) = true", err)
		}
	}
	tests := []struct {
		err  error
		want map[string]string
	}{
		{fmt.Errorf("query: %w", &pgError{"42P01"}), map[string]string{"db.response.status_code": "42P01", "error.type": "42P01"}},
		{&sqliteError{1}, map[string]string{"db.response.status_code": "1", "error.type": "1"}},
		{sql.ErrTxDone, map[string]string{"error.type": "sql.ErrTxDone"}},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), map[string]string{"error.type": "context.DeadlineExceeded"}},
		{errors.New("boom"), map[string]string{"error.type": "*errors.errorString"}},
	}
	for _, tt := range tests {
		if !IsError(tt.err) {
			t.Errorf("IsError(%v) = false", tt.err)
		}
		if got := attrMap(ErrorAttributes(tt.err)); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ErrorAttributes(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestQueryText(t *testing.T) {
	if got := QueryText("mysql", `SELECT * FROM t WHERE a = "x"`, false); got != "SELECT * FROM t WHERE a = ?" {
		t.Errorf("mysql: %q", got)
	}
	if got := QueryText("postgresql", `SELECT * FROM "t" WHERE a = $1 LIMIT 5`, true); got != `SELECT * FROM "t" WHERE a = $1 LIMIT 5` {
		t.Errorf("parameterized: %q", got)
	}
}

// Numbers that are a type's arguments are kept; values are replaced.
func TestQueryTextKeepsTypeArguments(t *testing.T) {
	for q, want := range map[string]string{
		"CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(255) DEFAULT 'x', n DECIMAL(10, 2) DEFAULT 1.5)": "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(255) DEFAULT ?, n DECIMAL(10, 2) DEFAULT ?)",
		"CREATE TABLE `gadgets` (`name` char(255),`size` bigint)":                                          "CREATE TABLE `gadgets` (`name` char(255),`size` bigint)",
		"SELECT CAST(x AS varchar (20)), 7 FROM t WHERE y = 3":                                             "SELECT CAST(x AS varchar (20)), ? FROM t WHERE y = ?",
		"ALTER TABLE t ADD c character varying(40) NOT NULL DEFAULT 0":                                     "ALTER TABLE t ADD c character varying(40) NOT NULL DEFAULT ?",
		"SELECT count(5), max(3) FROM t":                                                                   "SELECT count(?), max(?) FROM t",
	} {
		if got := QueryText("mysql", q, false); got != want {
			t.Errorf("%s\n got %s\nwant %s", q, got, want)
		}
	}
}

func TestBatch(t *testing.T) {
	info := NewInfo("postgresql", "shop", "db", 5432)
	insert := "INSERT INTO items (name) VALUES ($1)"
	name, attrs := info.Batch([]string{insert, insert}, []bool{true, true})
	got := attrMap(attrs)
	if name != "BATCH INSERT items" || got["db.operation.name"] != "BATCH INSERT" || got["db.query.summary"] != "BATCH INSERT items" ||
		got["db.query.text"] != insert || got["db.operation.batch.size"] != "2" || got["db.namespace"] != "shop" {
		t.Errorf("same statements: %q %v", name, got)
	}
	name, attrs = info.Batch([]string{insert, "UPDATE items SET n = 1"}, []bool{true, false})
	got = attrMap(attrs)
	if name != "BATCH" || got["db.operation.name"] != "BATCH" || got["db.query.text"] != insert+"; UPDATE items SET n = ?" {
		t.Errorf("mixed statements: %q %v", name, got)
	}
	if _, ok := got["db.query.summary"]; ok {
		t.Errorf("mixed statements have no common summary: %v", got)
	}
	name, attrs = info.Batch([]string{"SELECT 1"}, nil)
	got = attrMap(attrs)
	if name != "BATCH SELECT" || got["db.query.text"] != "SELECT ?" || got["db.operation.batch.size"] != "" {
		t.Errorf("one statement: %q %v", name, got)
	}
}
