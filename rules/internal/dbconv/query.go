package dbconv

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// What the spans say about a statement comes from one pass of a small SQL
// lexer over its text; nothing here executes or validates SQL:
//
//   - db.query.summary, built as the semantic conventions describe
//     ("Generating a summary of the query"): the operations and their
//     targets in the order written, e.g. "SELECT users",
//     "INSERT shipping_details SELECT orders", "SELECT songs artists";
//     it is the span name;
//   - db.operation.name: the first operation of the statement as written
//     (SELECT, INSERT, ..., or the first keyword of any other statement:
//     BEGIN, SET, PRAGMA, SHOW);
//   - the sanitized text for db.query.text when the statement was sent
//     without arguments: every literal (string, number, boolean, hex,
//     dollar-quoted) becomes "?". A statement sent with arguments is
//     parameterized and is recorded as it is.
//
// Case is kept as the application wrote it; quoted names keep their quotes.

type dialect uint8

const (
	dialectANSI     dialect = iota
	dialectPostgres         // $1 parameters, $tag$ strings, E'' strings
	dialectMySQL            // "..." is a string, backslash escapes, # comments
	dialectSQLite           // [name] identifiers, $name parameters
	dialectMSSQL            // [name] identifiers
)

type tokKind uint8

const (
	tokSpace tokKind = iota
	tokComment
	tokWord   // identifier or keyword
	tokQuoted // quoted identifier: "x", `x`, [x]
	tokString // string-like literal: 'x', E'x', X'0F', $$x$$, MySQL "x"
	tokNumber // numeric literal
	tokParam  // placeholder: ?, $1, :name, @name
	tokPunct  // any other single character
)

type token struct {
	kind       tokKind
	start, end int
}

// lex calls fn for every token of q, in order, covering every byte.
func lex(q string, d dialect, fn func(token)) {
	i := 0
	n := len(q)
	emit := func(k tokKind, end int) {
		if end > n {
			end = n
		}
		fn(token{k, i, end})
		i = end
	}
	for i < n {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			j := i + 1
			for j < n && (q[j] == ' ' || q[j] == '\t' || q[j] == '\n' || q[j] == '\r' || q[j] == '\f' || q[j] == '\v') {
				j++
			}
			emit(tokSpace, j)
		case c == '-' && i+1 < n && q[i+1] == '-', c == '#' && d == dialectMySQL:
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				emit(tokComment, n)
			} else {
				emit(tokComment, i+j)
			}
		case c == '/' && i+1 < n && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				emit(tokComment, n)
			} else {
				emit(tokComment, i+2+j+2)
			}
		case c == '\'':
			emit(tokString, quotedEnd(q, i, '\'', d == dialectMySQL))
		case c == '"':
			if d == dialectMySQL {
				emit(tokString, quotedEnd(q, i, '"', true))
			} else {
				emit(tokQuoted, quotedEnd(q, i, '"', false))
			}
		case c == '`':
			emit(tokQuoted, quotedEnd(q, i, '`', false))
		case c == '[' && (d == dialectSQLite || d == dialectMSSQL):
			j := strings.IndexByte(q[i:], ']')
			if j < 0 {
				emit(tokQuoted, n)
			} else {
				emit(tokQuoted, i+j+1)
			}
		case c == '$':
			if end, ok := dollarString(q, i); ok && d != dialectMySQL {
				emit(tokString, end)
				continue
			}
			j := i + 1
			for j < n && (isDigit(q[j]) || (d == dialectSQLite && isWordByte(q[j]))) {
				j++
			}
			if j > i+1 {
				emit(tokParam, j)
			} else {
				emit(tokPunct, i+1)
			}
		case c == '?':
			j := i + 1
			for j < n && isDigit(q[j]) {
				j++
			}
			emit(tokParam, j)
		case (c == ':' || c == '@') && i+1 < n && isWordStart(q[i+1]) && (i == 0 || q[i-1] != c):
			j := i + 1
			for j < n && isWordByte(q[j]) {
				j++
			}
			emit(tokParam, j)
		case isDigit(c) || c == '.' && i+1 < n && isDigit(q[i+1]):
			emit(tokNumber, numberEnd(q, i))
		case isWordStart(c):
			j := i + 1
			for j < n && isWordByte(q[j]) {
				j++
			}
			// A one-letter prefix glued to a quote makes a literal:
			// E'..' (escapes), N'..' (national), X'..' (hex), B'..' (bits).
			if j == i+1 && j < n && q[j] == '\'' && strings.IndexByte("eEnNxXbB", c) >= 0 {
				emit(tokString, quotedEnd(q, j, '\'', d == dialectMySQL || c == 'e' || c == 'E'))
				continue
			}
			emit(tokWord, j)
		default:
			_, size := utf8.DecodeRuneInString(q[i:])
			emit(tokPunct, i+size)
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isWordByte(c byte) bool { return isWordStart(c) || isDigit(c) || c == '$' }

// quotedEnd returns the index after the quote closing the one at q[i].
// A doubled quote stands for itself; with backslash, \x escapes x.
func quotedEnd(q string, i int, quote byte, backslash bool) int {
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			if backslash {
				j++
			}
		case quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// dollarString recognizes PostgreSQL's $$...$$ and $tag$...$tag$.
func dollarString(q string, i int) (int, bool) {
	j := i + 1
	for j < len(q) && q[j] != '$' {
		if !isWordStart(q[j]) && !(j > i+1 && isDigit(q[j])) {
			return 0, false
		}
		j++
	}
	if j >= len(q) {
		return 0, false
	}
	tag := q[i : j+1]
	k := strings.Index(q[j+1:], tag)
	if k < 0 {
		return len(q), true
	}
	return j + 1 + k + len(tag), true
}

func numberEnd(q string, i int) int {
	n := len(q)
	if q[i] == '0' && i+1 < n && (q[i+1] == 'x' || q[i+1] == 'X' || q[i+1] == 'b' || q[i+1] == 'B') {
		j := i + 2
		for j < n && (isDigit(q[j]) || q[j] >= 'a' && q[j] <= 'f' || q[j] >= 'A' && q[j] <= 'F' || q[j] == '_') {
			j++
		}
		return j
	}
	j := i
	for j < n && (isDigit(q[j]) || q[j] == '_') {
		j++
	}
	if j < n && q[j] == '.' {
		j++
		for j < n && isDigit(q[j]) {
			j++
		}
	}
	if j < n && (q[j] == 'e' || q[j] == 'E') {
		k := j + 1
		if k < n && (q[k] == '+' || q[k] == '-') {
			k++
		}
		if k < n && isDigit(q[k]) {
			for k < n && isDigit(q[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

// Statement returns the name and the attributes of the span of one
// statement sent to the database of i: the database's attributes,
// db.query.text, db.operation.name and db.query.summary. Text sent with
// arguments (parameterized) is recorded as it is; text sent without them
// with its literals replaced by "?", as the conventions ask. The span's
// name is the query summary, else the operation, else db.system.name.
func (i *Info) Statement(query string, parameterized bool) (name string, attrs []attribute.KeyValue) {
	d := i.Describe(query, parameterized)
	return d.Name, d.Attrs
}

// Statement is what the span of one statement carries: its name and
// attributes, and the attribute set of its db.client.operation.duration.
// Read-only: the same *Statement serves every run of the same text.
type Statement struct {
	Name  string
	Attrs []attribute.KeyValue // full: appending to it copies
	set   attribute.Set
}

// NewStatement is the Statement of a span named name with attrs (which it
// keeps: the caller must not change them).
func NewStatement(name string, attrs []attribute.KeyValue) *Statement {
	return &Statement{Name: name, Attrs: attrs[:len(attrs):len(attrs)], set: MetricSet(attrs)}
}

// MetricSet is the attribute set of the statement's measurements (see
// RecordDuration: the span's attributes but db.query.text).
func (s *Statement) MetricSet() attribute.Set { return s.set }

type statementKey struct {
	query         string
	parameterized bool
	operation     bool // query is an operation's name (Operation)
}

// maxStatements bounds the statements each database remembers: text sent
// without arguments may hold a new literal each time.
const maxStatements = 512

// Describe is Statement's answer, made once per text and database: a
// program sends the same few statements over and over, and their
// attributes, name and measurement set cost allocations each time.
func (i *Info) Describe(query string, parameterized bool) *Statement {
	key := statementKey{query: query, parameterized: parameterized}
	if s, ok := i.statements.Load(key); ok {
		return s.(*Statement)
	}
	s := i.describe(query, parameterized)
	if len(query) <= maxCachedQuery && i.remembered.Add(1) <= maxStatements {
		i.statements.Store(key, s)
	}
	return s
}

// Operation is what the span of an operation without text of its own
// (BEGIN, COMMIT, ROLLBACK) carries, made once per operation and database.
func (i *Info) Operation(op string) *Statement {
	key := statementKey{query: op, operation: true}
	if s, ok := i.statements.Load(key); ok {
		return s.(*Statement)
	}
	attrs := make([]attribute.KeyValue, 0, len(i.attrs)+1)
	attrs = append(attrs, i.attrs...)
	attrs = append(attrs, semconv.DBOperationName(op))
	s := NewStatement(op, attrs)
	i.statements.Store(key, s)
	return s
}

func (i *Info) describe(query string, parameterized bool) *Statement {
	a := analyze(i.dialect, query)
	attrs := make([]attribute.KeyValue, 0, len(i.attrs)+3)
	attrs = append(attrs, i.attrs...)
	text := query
	if !parameterized {
		text = a.sanitized
	}
	if text != "" {
		attrs = append(attrs, semconv.DBQueryText(text))
	}
	if a.operation != "" {
		attrs = append(attrs, semconv.DBOperationName(a.operation))
	}
	if a.summary != "" {
		attrs = append(attrs, semconv.DBQuerySummary(a.summary))
	}
	name := a.summary
	if name == "" {
		name = a.operation
	}
	if name == "" {
		name = i.system
	}
	return NewStatement(name, attrs)
}

// PreparedText is the db.query.text of a statement being prepared for the
// database of i: its arguments come later, so it counts as parameterized
// if it has placeholders, and is sanitized if it has none.
func (i *Info) PreparedText(query string) string {
	a := analyze(i.dialect, query)
	if a.hasParams {
		return query
	}
	return a.sanitized
}

// QueryText is the db.query.text for query as sent to a database of the
// given db.system.name: as it is if parameterized, else with its literals
// replaced by "?". For instrumentation of libraries above database/sql.
func QueryText(system, query string, parameterized bool) string {
	if parameterized {
		return query
	}
	return analyze(dialectOf(system), query).sanitized
}

// analysis is what the spans take from one statement's text.
type analysis struct {
	operation string // db.operation.name; "" if none
	summary   string // db.query.summary; "" if none
	sanitized string // the text with every literal replaced by "?"
	hasParams bool   // the text has placeholders ($1, ?, :name, @name)
}

const maxSummary = 255

// dmlOps are operations wherever they occur (subqueries, INSERT ... SELECT).
var dmlOps = map[string]bool{"SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true}

// notOpBefore: UPDATE/DELETE/INSERT after these words is part of a clause
// (ON DELETE CASCADE, ON DUPLICATE KEY UPDATE, DO UPDATE, AFTER INSERT ...).
var notOpBefore = map[string]bool{"ON": true, "KEY": true, "DO": true, "BEFORE": true, "AFTER": true, "OF": true, "FOR": true, "INSTEAD": true, "THEN": true, "GRANT": true, "REVOKE": true}

// targetKeywords end a list of targets and are never targets themselves.
var targetKeywords = map[string]bool{
	"SELECT": true, "WHERE": true, "SET": true, "VALUES": true, "VALUE": true, "ON": true, "USING": true, "GROUP": true,
	"ORDER": true, "HAVING": true, "LIMIT": true, "OFFSET": true, "UNION": true, "INTERSECT": true, "EXCEPT": true,
	"JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true, "FULL": true, "OUTER": true, "CROSS": true,
	"NATURAL": true, "STRAIGHT_JOIN": true, "LATERAL": true, "ONLY": true, "AS": true, "WINDOW": true, "RETURNING": true,
	"FOR": true, "DEFAULT": true, "OUTPUT": true, "WITH": true, "PARTITION": true, "USE": true, "FORCE": true,
	"IGNORE": true, "INDEX": true, "TABLESAMPLE": true, "FETCH": true, "INTO": true, "FROM": true, "LOCK": true,
	"UNNEST": true, "LOW_PRIORITY": true, "QUICK": true, "DELAYED": true, "HIGH_PRIORITY": true, "OR": true,
	"REPLACE": true, "ROLLBACK": true, "ABORT": true, "FAIL": true, "CASCADE": true, "RESTRICT": true, "IF": true,
	"NOT": true, "EXISTS": true, "TABLE": true, "WHEN": true, "THEN": true, "CONFLICT": true, "DO": true,
}

// ddlSkip are the words between CREATE/DROP/ALTER/TRUNCATE and the name.
var ddlSkip = map[string]bool{
	"OR": true, "REPLACE": true, "TEMP": true, "TEMPORARY": true, "UNIQUE": true, "IF": true, "NOT": true,
	"EXISTS": true, "UNLOGGED": true, "GLOBAL": true, "LOCAL": true, "VIRTUAL": true, "MATERIALIZED": true,
	"CONCURRENTLY": true, "ONLY": true, "TABLE": true, "INDEX": true, "VIEW": true, "SEQUENCE": true, "SCHEMA": true,
	"DATABASE": true, "TRIGGER": true, "FUNCTION": true, "PROCEDURE": true, "TYPE": true, "EXTENSION": true,
	"CLUSTERED": true, "NONCLUSTERED": true, "FULLTEXT": true, "SPATIAL": true, "ONLINE": true, "OFFLINE": true,
	"DEFINER": true, "ALGORITHM": true, "RECURSIVE": true, "FOREIGN": true, "ROLE": true, "USER": true,
}

// analyze lexes q once. The result is cached: a program sends the same
// few statements over and over.
func analyze(d dialect, q string) analysis {
	if len(q) <= maxCachedQuery {
		if a, ok := cache.get(d, q); ok {
			return a
		}
	}
	a := analyzeUncached(d, q)
	if len(q) <= maxCachedQuery {
		cache.put(d, q, a)
	}
	return a
}

type summarizer struct {
	q     string
	parts []string
	size  int
	full  bool
	op    string

	// The state of the statement being read.
	prev        string // the previous significant word, upper case
	prevTok     tokKind
	prevPunct   byte
	atStart     bool
	want        int // what the next name is: wantNone, wantTarget, wantDDL, wantInsert
	inName      bool
	nameEnd     bool // a name was just read: a '.' continues it
	afterTarget bool // a target (and maybe its alias) was read: ',' asks for another
	depth       int
	opDepth     []bool // per parenthesis depth: an operation started there
}

const (
	wantNone = iota
	wantTarget
	wantDDL    // CREATE/DROP/ALTER/TRUNCATE: skip object kinds and IF [NOT] EXISTS
	wantInsert // INSERT/REPLACE: skip modifiers, INTO, OR REPLACE
)

func (s *summarizer) add(part string) {
	if s.full {
		return
	}
	extra := len(part)
	if len(s.parts) > 0 {
		extra++
	}
	if s.size+extra > maxSummary {
		s.full = true
		return
	}
	s.parts = append(s.parts, part)
	s.size += extra
}

// appendToLast extends the last part (a qualified name: a.b."c").
func (s *summarizer) appendToLast(text string) {
	if s.full || len(s.parts) == 0 {
		return
	}
	if s.size+len(text) > maxSummary {
		s.full = true
		return
	}
	s.parts[len(s.parts)-1] += text
	s.size += len(text)
}

func (s *summarizer) operation(word string) {
	if s.op == "" {
		s.op = word
	}
	s.add(word)
	if s.depth < len(s.opDepth) {
		s.opDepth[s.depth] = true
	}
}

func (s *summarizer) token(t token) {
	text := s.q[t.start:t.end]
	switch t.kind {
	case tokSpace, tokComment:
		return
	case tokPunct:
		s.punct(text[0])
		s.prevTok, s.prevPunct, s.prev = tokPunct, text[0], ""
		return
	case tokWord, tokQuoted:
		s.name(t.kind, text)
		s.prevTok = t.kind
		if t.kind == tokWord {
			s.prev = strings.ToUpper(text)
		} else {
			s.prev = ""
		}
		return
	default:
		s.inName, s.nameEnd = false, false
		if s.want != wantNone {
			s.want = wantNone
		}
		s.afterTarget = false
		s.atStart = false
		s.prevTok, s.prev = t.kind, ""
	}
}

func (s *summarizer) punct(c byte) {
	switch c {
	case '.':
		if s.nameEnd {
			s.appendToLast(".")
			s.inName, s.nameEnd = true, false
			return
		}
	case ',':
		s.inName, s.nameEnd = false, false
		if s.afterTarget {
			s.want = wantTarget
			s.afterTarget = false
			return
		}
	case '(':
		s.depth++
		for len(s.opDepth) <= s.depth {
			s.opDepth = append(s.opDepth, false)
		}
		s.opDepth[s.depth] = false
	case ')':
		if s.depth > 0 {
			s.depth--
		}
	case ';':
		s.atStart = true
		s.depth = 0
		s.opDepth = s.opDepth[:1]
		s.opDepth[0] = false
	}
	s.inName, s.nameEnd = false, false
	s.want = wantNone
	s.afterTarget = false
}

func (s *summarizer) name(kind tokKind, text string) {
	upper := ""
	if kind == tokWord {
		upper = strings.ToUpper(text)
	}
	// A qualified name goes on: schema . table
	if s.inName && !s.nameEnd {
		s.appendToLast(text)
		s.nameEnd = true
		return
	}
	s.inName, s.nameEnd = false, false

	if s.atStart {
		s.atStart = false
		if upper == "WITH" {
			return // common table expressions: their operations follow
		}
		if kind == tokWord && isKeywordLike(text) {
			s.operation(text)
			switch upper {
			case "CREATE", "DROP", "ALTER", "TRUNCATE":
				s.want = wantDDL
			case "INSERT", "REPLACE":
				s.want = wantInsert
			case "UPDATE", "CALL", "EXEC", "EXECUTE":
				s.want = wantTarget
			default:
				s.want = wantNone
			}
			return
		}
	}
	if kind == tokWord && dmlOps[upper] && !notOpBefore[s.prev] {
		s.afterTarget = false
		s.operation(text)
		switch upper {
		case "INSERT", "UPSERT":
			s.want = wantInsert
		case "UPDATE":
			s.want = wantTarget
		default:
			s.want = wantNone
		}
		return
	}
	switch s.want {
	case wantDDL:
		if kind == tokWord && ddlSkip[upper] {
			return
		}
		s.want = wantTarget
	case wantInsert:
		if kind == tokWord && (upper == "INTO" || upper == "OR" || upper == "REPLACE" || upper == "IGNORE" ||
			upper == "LOW_PRIORITY" || upper == "DELAYED" || upper == "HIGH_PRIORITY" || upper == "ROLLBACK" ||
			upper == "ABORT" || upper == "FAIL" || upper == "ONLY") {
			if upper == "INTO" {
				s.want = wantTarget
			}
			return
		}
		s.want = wantTarget
	case wantNone:
		if kind == tokWord {
			switch upper {
			case "FROM", "USING":
				// FROM inside a function call (EXTRACT(x FROM y)) names no table.
				if s.depth < len(s.opDepth) && s.opDepth[s.depth] {
					s.want = wantTarget
				}
			case "JOIN", "INTO", "STRAIGHT_JOIN":
				s.want = wantTarget
			case "AS":
				// alias: the target list goes on after it
			default:
				if s.afterTarget && s.prevTok != tokPunct && !targetKeywords[upper] && isAliasable(s.prev) {
					return // an alias: FROM users u
				}
				s.afterTarget = false
			}
		} else if s.afterTarget && isAliasable(s.prev) {
			return // a quoted alias
		}
		return
	}
	// s.want == wantTarget
	if kind == tokWord && (targetKeywords[upper] || upper == "TABLE") {
		if upper == "ONLY" || upper == "TABLE" || upper == "LATERAL" || upper == "IGNORE" || upper == "LOW_PRIORITY" {
			return // FROM ONLY t, TRUNCATE TABLE t
		}
		s.want = wantNone
		s.afterTarget = false
		return
	}
	s.add(text)
	s.want = wantNone
	s.inName, s.nameEnd = true, true
	s.afterTarget = true
}

// isAliasable: after a target, a following name is its alias unless the
// word before it was AS (then it is the alias) or a keyword.
func isAliasable(prev string) bool {
	return prev == "" || prev == "AS" || !targetKeywords[prev]
}

func isKeywordLike(w string) bool {
	if len(w) == 0 || len(w) > 32 {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

func analyzeUncached(d dialect, q string) analysis {
	s := &summarizer{q: q, atStart: true, opDepth: []bool{false}}
	var b strings.Builder
	changed := false
	hasParams := false
	var types typeArgs
	lex(q, d, func(t token) {
		s.token(t)
		if t.kind == tokParam {
			hasParams = true
		}
		text := q[t.start:t.end]
		if !types.next(t, text) && isLiteral(t, text) {
			if !changed {
				b.Grow(len(q))
				b.WriteString(q[:t.start])
				changed = true
			}
			b.WriteByte('?')
			return
		}
		if changed {
			b.WriteString(text)
		}
	})
	a := analysis{operation: s.op, summary: strings.Join(s.parts, " "), sanitized: q, hasParams: hasParams}
	if changed {
		a.sanitized = b.String()
	}
	return a
}

// typeArgs follows a type's arguments in a statement, varchar(255) or
// decimal(10, 2): numbers there are the type's, not values, and stay as
// they are (a CREATE TABLE keeps its column types).
type typeArgs struct {
	afterType bool // the last significant token was a type's name
	inside    bool // between the parentheses that follow it
}

// next reads t and reports whether it is an argument of a type.
func (a *typeArgs) next(t token, text string) bool {
	switch {
	case t.kind == tokSpace || t.kind == tokComment:
		return false
	case a.inside:
		if t.kind == tokPunct && text == ")" {
			a.inside = false
		}
		return t.kind == tokNumber
	case a.afterType && t.kind == tokPunct && text == "(":
		a.inside, a.afterType = true, false
		return false
	}
	a.afterType = t.kind == tokWord && sqlTypes[strings.ToUpper(text)]
	return false
}

// sqlTypes are the names of SQL types that take numeric arguments.
var sqlTypes = map[string]bool{
	"CHAR": true, "CHARACTER": true, "VARCHAR": true, "NCHAR": true, "NVARCHAR": true, "VARCHAR2": true,
	"NVARCHAR2": true, "VARYING": true, "BINARY": true, "VARBINARY": true, "BIT": true, "VARBIT": true,
	"DECIMAL": true, "NUMERIC": true, "DEC": true, "NUMBER": true, "FLOAT": true, "DOUBLE": true, "REAL": true,
	"PRECISION": true, "TIME": true, "TIMESTAMP": true, "TIMETZ": true, "TIMESTAMPTZ": true, "DATETIME": true,
	"DATETIME2": true, "DATETIMEOFFSET": true, "INTERVAL": true, "INT": true, "INTEGER": true, "TINYINT": true,
	"SMALLINT": true, "MEDIUMINT": true, "BIGINT": true, "TEXT": true, "BLOB": true, "RAW": true, "YEAR": true,
}

func isLiteral(t token, text string) bool {
	switch t.kind {
	case tokString, tokNumber:
		return true
	case tokWord:
		return len(text) <= 5 && (strings.EqualFold(text, "true") || strings.EqualFold(text, "false"))
	}
	return false
}

// --- a small cache of analyses ---------------------------------------------------

const (
	maxCachedQuery = 4096
	maxCached      = 512
)

type cacheKey struct {
	d dialect
	q string
}

// analysisCache is read on every statement from every goroutine: a
// sync.Map, emptied when it grows too large (a program that builds
// statements with literals inline would otherwise grow it forever).
type analysisCache struct {
	m sync.Map // cacheKey -> analysis
	n atomic.Int64
}

var cache = &analysisCache{}

func (c *analysisCache) get(d dialect, q string) (analysis, bool) {
	v, ok := c.m.Load(cacheKey{d, q})
	if !ok {
		return analysis{}, false
	}
	return v.(analysis), true
}

func (c *analysisCache) put(d dialect, q string, a analysis) {
	if c.n.Add(1) > maxCached {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(cacheKey{d, q}, a)
}

func (c *analysisCache) len() int {
	n := 0
	c.m.Range(func(_, _ any) bool { n++; return true })
	return n
}
