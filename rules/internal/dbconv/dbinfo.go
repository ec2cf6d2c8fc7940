package dbconv

import (
	"database/sql/driver"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// Info is what every span of one database (a *sql.DB) says about it:
// db.system.name, db.namespace (the database given when connecting, from
// the DSN or the connector's configuration; a later USE is not seen),
// server.address and server.port. It does not change once made.
type Info struct {
	system   string
	dialect  dialect
	endpoint Endpoint
	attrs    []attribute.KeyValue // the above as span attributes

	statements sync.Map     // statementKey -> *Statement
	remembered atomic.Int64 // statements stored
}

// NewInfo makes the Info of a database of the given db.system.name ("" for
// one not known: "other_sql"), namespace, address and port (0 if unknown).
func NewInfo(system, namespace, address string, port int) *Info {
	if system == "" {
		system = semconv.DBSystemNameOtherSQL.Value.AsString()
	}
	info := &Info{system: system, dialect: dialectOf(system), endpoint: Endpoint{namespace, address, port}}
	info.attrs = append(info.attrs, semconv.DBSystemNameKey.String(system))
	if namespace != "" {
		info.attrs = append(info.attrs, semconv.DBNamespace(namespace))
	}
	if address != "" {
		info.attrs = append(info.attrs, semconv.ServerAddress(address))
		// The conventions ask for server.port when it is not the DBMS's default.
		if port > 0 && port != defaultPorts[system] {
			info.attrs = append(info.attrs, semconv.ServerPort(port))
		}
	}
	return info
}

// System is the db.system.name.
func (i *Info) System() string { return i.system }

// Endpoint is the namespace, address and port the Info was made with.
func (i *Info) Endpoint() Endpoint { return i.endpoint }

// Attributes are the span attributes of the database: db.system.name,
// db.namespace, server.address, server.port (those known; server.port
// only when it is not the DBMS's default). Callers must not modify them.
func (i *Info) Attributes() []attribute.KeyValue { return i.attrs }

var defaultPorts = map[string]int{"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "microsoft.sql_server": 1433}

func dialectOf(system string) dialect {
	switch system {
	case "postgresql", "cockroachdb":
		return dialectPostgres
	case "mysql", "mariadb":
		return dialectMySQL
	case "sqlite":
		return dialectSQLite
	case "microsoft.sql_server":
		return dialectMSSQL
	}
	return dialectANSI
}

// driverSystems maps the import path of a driver's package (a prefix of
// it) to db.system.name.
var driverSystems = []struct{ prefix, system string }{
	{"github.com/jackc/pgx", "postgresql"},
	{"github.com/lib/pq", "postgresql"},
	{"github.com/go-pg/pg", "postgresql"},
	{"github.com/go-sql-driver/mysql", "mysql"},
	{"github.com/ziutek/mymysql", "mysql"},
	{"modernc.org/sqlite", "sqlite"},
	{"github.com/mattn/go-sqlite3", "sqlite"},
	{"github.com/glebarez/go-sqlite", "sqlite"},
	{"github.com/ncruces/go-sqlite3", "sqlite"},
	{"zombiezen.com/go/sqlite", "sqlite"},
	{"github.com/tursodatabase/", "sqlite"},
	{"github.com/microsoft/go-mssqldb", "microsoft.sql_server"},
	{"github.com/denisenkom/go-mssqldb", "microsoft.sql_server"},
	{"github.com/ClickHouse/clickhouse-go", "clickhouse"},
	{"github.com/godror/godror", "oracle.db"},
	{"github.com/sijms/go-ora", "oracle.db"},
	{"github.com/googleapis/go-sql-spanner", "gcp.spanner"},
	{"github.com/trinodb/trino-go-client", "trino"},
	{"github.com/nakagami/firebirdsql", "firebirdsql"},
	{"github.com/ibmdb/go_ibm_db", "ibm.db2"},
	{"github.com/SAP/go-hdb", "sap.hana"},
	{"github.com/snowflakedb/gosnowflake", "snowflake"},
	{"github.com/marcboeker/go-duckdb", "duckdb"},
	{"github.com/duckdb/duckdb-go", "duckdb"},
}

// driverNames maps names drivers register under (sql.Open's first
// argument) to db.system.name, for drivers the type does not give away.
var driverNames = map[string]string{
	"postgres": "postgresql", "postgresql": "postgresql", "pgx": "postgresql", "pgx/v4": "postgresql",
	"pgx/v5": "postgresql", "cloudsqlpostgres": "postgresql",
	"mysql": "mysql", "mariadb": "mariadb",
	"sqlite": "sqlite", "sqlite3": "sqlite", "libsql": "sqlite",
	"sqlserver": "microsoft.sql_server", "mssql": "microsoft.sql_server", "azuresql": "microsoft.sql_server",
	"clickhouse": "clickhouse", "godror": "oracle.db", "oracle": "oracle.db", "spanner": "gcp.spanner",
	"trino": "trino", "firebirdsql": "firebirdsql", "go_ibm_db": "ibm.db2", "hdb": "sap.hana",
	"snowflake": "snowflake", "duckdb": "duckdb",
}

// DriverSystem names the DBMS from the driver's type: the package it is
// declared in (pgx's *stdlib.Driver, *mysql.MySQLDriver, modernc's
// *sqlite.Driver, ...). "" if the package is not known.
func DriverSystem(d driver.Driver) string {
	if d == nil {
		return ""
	}
	t := reflect.TypeOf(d)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	for _, ds := range driverSystems {
		if strings.HasPrefix(pkg, ds.prefix) {
			return ds.system
		}
	}
	return ""
}

func systemOfName(name string) string {
	return driverNames[strings.ToLower(name)]
}

// SystemName is the db.system.name for a driver or dialect name as
// programs name them ("postgres", "pgx", "mysql", "sqlite3", "sqlserver",
// ...); "other_sql" for names it does not know. For instrumentation of
// libraries above database/sql.
func SystemName(name string) string {
	if s := systemOfName(name); s != "" {
		return s
	}
	return semconv.DBSystemNameOtherSQL.Value.AsString()
}

// --- DSNs ----------------------------------------------------------------------

// Endpoint is where a database's connections go, as a DSN or a connector
// gives it.
type Endpoint struct {
	Namespace string // db.namespace; "" if none
	Address   string // server.address: a host, an IP or a unix socket path; "" if unknown
	Port      int    // server.port; 0 if unknown or a unix socket
}

// ParseDSN reads the database, host and port from a data source name in
// the form the system's usual drivers take. Credentials are never kept.
func ParseDSN(system, dsn string) Endpoint {
	dsn = strings.TrimSpace(dsn)
	switch system {
	case "postgresql", "cockroachdb":
		return parsePostgres(dsn)
	case "mysql", "mariadb":
		return parseMySQL(dsn)
	case "sqlite":
		return parseSQLite(dsn)
	case "microsoft.sql_server":
		return parseSQLServer(dsn)
	}
	if strings.Contains(dsn, "://") {
		return parseURL(dsn, 0)
	}
	return Endpoint{}
}

func parseURL(dsn string, defaultPort int) Endpoint {
	u, err := url.Parse(dsn)
	if err != nil {
		return Endpoint{}
	}
	var e Endpoint
	host := u.Host
	if i := strings.IndexByte(host, ','); i >= 0 {
		host = host[:i] // several hosts: the first is tried first
	}
	e.Address, e.Port = splitHostPort(host)
	e.Namespace = strings.TrimPrefix(u.Path, "/")
	if e.Address != "" && e.Port == 0 {
		e.Port = defaultPort
	}
	return e
}

// parsePostgres takes postgres://user:pw@host:port/db?k=v URLs and
// "host=... port=... dbname=..." keyword/value strings (libpq's two
// forms), with libpq's PGHOST, PGPORT and PGDATABASE as defaults.
func parsePostgres(dsn string) Endpoint {
	var e Endpoint
	params := map[string]string{}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		// url.Parse rejects host lists; cut the authority by hand.
		rest := dsn[strings.Index(dsn, "://")+3:]
		authority, path := rest, ""
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			authority, path = rest[:i], rest[i:]
		}
		if i := strings.LastIndexByte(authority, '@'); i >= 0 {
			authority = authority[i+1:]
		}
		if i := strings.IndexByte(authority, ','); i >= 0 {
			authority = authority[:i]
		}
		if h, err := url.PathUnescape(authority); err == nil {
			authority = h
		}
		e.Address, e.Port = splitHostPort(authority)
		query := ""
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path, query = path[:i], path[i+1:]
		}
		if db, err := url.PathUnescape(strings.TrimPrefix(path, "/")); err == nil {
			e.Namespace = db
		}
		if q, err := url.ParseQuery(query); err == nil {
			for k, v := range q {
				params[k] = v[0]
			}
		}
	} else {
		params = keywordValues(dsn)
	}
	if h := params["host"]; h != "" {
		e.Address = h
	} else if h := params["hostaddr"]; h != "" && e.Address == "" {
		e.Address = h
	}
	if i := strings.IndexByte(e.Address, ','); i >= 0 {
		e.Address = e.Address[:i]
	}
	if p := params["port"]; p != "" {
		if i := strings.IndexByte(p, ','); i >= 0 {
			p = p[:i]
		}
		e.Port, _ = strconv.Atoi(p)
	}
	if db := params["dbname"]; db != "" {
		e.Namespace = db
	} else if db := params["database"]; db != "" {
		e.Namespace = db
	}
	if e.Address == "" {
		e.Address = os.Getenv("PGHOST")
	}
	if e.Port == 0 {
		e.Port, _ = strconv.Atoi(os.Getenv("PGPORT"))
	}
	if e.Namespace == "" {
		e.Namespace = os.Getenv("PGDATABASE")
	}
	// PostgreSQL's namespace is {database}|{schema}: the schema is the first
	// of a search_path given when connecting.
	if sp := params["search_path"]; sp != "" {
		schema, _, _ := strings.Cut(sp, ",")
		if schema = strings.Trim(strings.TrimSpace(schema), `"`); schema != "" && schema != "$user" {
			if e.Namespace != "" {
				e.Namespace += "|" + schema
			} else {
				e.Namespace = schema
			}
		}
	}
	if e.Address == "" {
		e.Address = "localhost"
	}
	if e.Port == 0 && !strings.HasPrefix(e.Address, "/") {
		e.Port = 5432
	}
	return e
}

// keywordValues parses libpq's "k=v k2='v 2'" form.
func keywordValues(s string) map[string]string {
	out := map[string]string{}
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
		j := i
		for j < len(s) && s[j] != '=' && s[j] != ' ' {
			j++
		}
		key := s[i:j]
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			return out
		}
		j++
		for j < len(s) && s[j] == ' ' {
			j++
		}
		var val strings.Builder
		if j < len(s) && s[j] == '\'' {
			j++
			for j < len(s) && s[j] != '\'' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				val.WriteByte(s[j])
				j++
			}
			j++
		} else {
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				val.WriteByte(s[j])
				j++
			}
		}
		if key != "" {
			out[key] = val.String()
		}
		i = j
	}
	return out
}

// parseMySQL takes go-sql-driver/mysql's DSN:
// [user[:password]@][net[(addr)]]/dbname[?param=value&...]
func parseMySQL(dsn string) Endpoint {
	var e Endpoint
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return e
	}
	head, tail := dsn[:slash], dsn[slash+1:]
	if i := strings.IndexByte(tail, '?'); i >= 0 {
		tail = tail[:i]
	}
	if db, err := url.PathUnescape(tail); err == nil {
		e.Namespace = db
	} else {
		e.Namespace = tail
	}
	if i := strings.LastIndexByte(head, '@'); i >= 0 {
		head = head[i+1:]
	}
	network, addr := head, ""
	if i := strings.IndexByte(head, '('); i >= 0 && strings.HasSuffix(head, ")") {
		network, addr = head[:i], head[i+1:len(head)-1]
	}
	switch network {
	case "", "tcp", "tcp4", "tcp6":
		if addr == "" {
			addr = "127.0.0.1:3306"
		}
		e.Address, e.Port = splitHostPort(addr)
		if e.Port == 0 {
			e.Port = 3306
		}
	case "unix":
		if addr == "" {
			addr = "/tmp/mysql.sock"
		}
		e.Address = addr
	default:
		e.Address, e.Port = splitHostPort(addr) // a custom dialer's address
	}
	return e
}

// parseSQLite: the namespace is the database file as given; an in-memory
// database has none.
func parseSQLite(dsn string) Endpoint {
	name := strings.TrimPrefix(dsn, "file:")
	query := ""
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name, query = name[:i], name[i+1:]
	}
	if name == "" || name == ":memory:" || strings.HasPrefix(name, ":memory:") {
		return Endpoint{}
	}
	if q, err := url.ParseQuery(query); err == nil && q.Get("mode") == "memory" {
		return Endpoint{}
	}
	if strings.HasPrefix(dsn, "file:") {
		if n, err := url.PathUnescape(name); err == nil {
			name = n
		}
	}
	return Endpoint{Namespace: name}
}

// parseSQLServer takes sqlserver://user:pw@host:port/instance?database=db
// and "server=host,port;database=db" (ADO) strings.
func parseSQLServer(dsn string) Endpoint {
	if strings.HasPrefix(strings.ToLower(dsn), "sqlserver://") {
		e := parseURL(dsn, 1433)
		u, err := url.Parse(dsn)
		if err != nil {
			return e
		}
		db := u.Query().Get("database")
		if instance := strings.TrimPrefix(u.Path, "/"); instance != "" && db != "" {
			db = instance + "|" + db
		}
		e.Namespace = db
		return e
	}
	var e Endpoint
	for _, part := range strings.Split(dsn, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "server", "data source", "address", "addr":
			v = strings.TrimPrefix(v, "tcp:")
			host, port, _ := strings.Cut(v, ",")
			e.Address = host
			e.Port, _ = strconv.Atoi(port)
		case "port":
			e.Port, _ = strconv.Atoi(v)
		case "database", "initial catalog":
			e.Namespace = v
		}
	}
	if e.Address != "" && e.Port == 0 {
		e.Port = 1433
	}
	return e
}

func splitHostPort(hostport string) (string, int) {
	if hostport == "" {
		return "", 0
	}
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		port, _ := strconv.Atoi(p)
		return h, port
	}
	return strings.Trim(hostport, "[]"), 0
}

// --- connectors ---------------------------------------------------------------

// ConnectorEndpoint looks into a driver.Connector handed to sql.OpenDB for
// the connection settings it was made from: pgx's stdlib.OpenDB(config)
// keeps a pgconn.Config (Host, Port, Database), go-sql-driver's
// NewConnector a *mysql.Config (Net, Addr, DBName), sql.Open's own
// connector the DSN string. Only reflection can see them; it only reads.
func ConnectorEndpoint(system string, c driver.Connector) Endpoint {
	v := reflect.ValueOf(c)
	if !v.IsValid() {
		return Endpoint{}
	}
	type item struct {
		v     reflect.Value
		depth int
	}
	queue := []item{{v, 0}}
	seen := 0
	var fromDSN Endpoint
	for len(queue) > 0 && seen < 64 {
		it := queue[0]
		queue = queue[1:]
		v := it.v
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				break
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		seen++
		if e, ok := structEndpoint(v); ok {
			return e
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := v.Field(i)
			name := strings.ToLower(t.Field(i).Name)
			switch f.Kind() {
			case reflect.String:
				if fromDSN == (Endpoint{}) && (name == "dsn" || name == "connstring" || name == "datasourcename") && f.String() != "" {
					fromDSN = ParseDSN(system, f.String())
				}
			case reflect.Pointer, reflect.Interface, reflect.Struct:
				if it.depth < 4 {
					queue = append(queue, item{f, it.depth + 1})
				}
			}
		}
	}
	return fromDSN
}

// structEndpoint reads a settings struct: one with a host (Host, Addr,
// Server) field and a database (Database, DBName) or port field.
func structEndpoint(v reflect.Value) (Endpoint, bool) {
	var e Endpoint
	var hasHost, hasOther bool
	network := ""
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		switch strings.ToLower(t.Field(i).Name) {
		case "host", "server", "hostname":
			if f.Kind() == reflect.String {
				hasHost = true
				if e.Address == "" {
					e.Address = f.String()
				}
			}
		case "addr", "address":
			if f.Kind() == reflect.String {
				hasHost = true
				e.Address, e.Port = splitHostPort(f.String())
			}
		case "net", "network":
			if f.Kind() == reflect.String {
				network = f.String()
			}
		case "port":
			hasOther = true
			switch f.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				e.Port = int(f.Int())
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				e.Port = int(f.Uint())
			case reflect.String:
				e.Port, _ = strconv.Atoi(f.String())
			}
		case "database", "dbname", "databasename", "db":
			if f.Kind() == reflect.String {
				hasOther = true
				e.Namespace = f.String()
			}
		}
	}
	if !hasHost || !hasOther {
		return Endpoint{}, false
	}
	if network == "unix" {
		e.Port = 0
	}
	return e, true
}
