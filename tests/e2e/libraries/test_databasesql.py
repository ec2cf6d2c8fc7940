"""database/sql instrumentation end to end: testdata/dbsql built with
`otel go build` and run against real SQLite (modernc.org/sqlite, pure Go),
PostgreSQL (pgx's stdlib driver) and MariaDB (go-sql-driver/mysql), opened
with sql.Open and, for the networked ones, with the driver's connector and
sql.OpenDB. Its handlers run SQL with r.Context(); every statement must be
one CLIENT span under the request's SERVER span, with the database
semantic conventions' attributes.

The program holds no OpenTelemetry code. Each backend runs one scenario
(every handler once, in order); the tests below check its spans.
"""

from __future__ import annotations

import itertools
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from harness import TESTDATA, check_build, otel_build, run_program
from otlp import OTLPReceiver, Span, children_of, format_spans

SCOPE = "otelgo.dev/rules/databasesql"


@dataclass
class Backend:
    id: str
    driver: str  # DB_DRIVER for the program
    dsn: str
    open: str  # DB_OPEN: "open" (sql.Open) or "connector" (sql.OpenDB)
    system: str  # db.system.name
    namespace: str  # db.namespace
    address: str | None  # server.address (None: not set)
    port: int | None
    missing_table_code: str  # db.response.status_code of SELECT * FROM no_such_table

    def sql(self, text: str) -> str:
        """The statement as the program sends it: $1, $2 for PostgreSQL."""
        if self.driver != "pgx":
            return text
        out, n = [], 0
        for ch in text:
            if ch == "?":
                n += 1
                out.append(f"${n}")
            else:
                out.append(ch)
        return "".join(out)

    @property
    def common(self) -> dict:
        attrs = {"db.system.name": self.system, "db.namespace": self.namespace}
        if self.address is not None:
            attrs["server.address"] = self.address
            attrs["server.port"] = self.port
        return attrs


BACKENDS = ["sqlite", "postgres", "postgres-connector", "mariadb", "mariadb-connector"]


def make_backend(request, tmp_path: Path) -> Backend:
    kind, _, mode = request.param.partition("-")
    mode = mode or "open"
    if kind == "sqlite":
        path = str(tmp_path / "app.db")
        return Backend(request.param, "sqlite", path, mode, "sqlite", path, None, None, "1")
    if kind == "postgres":
        server = request.getfixturevalue("postgres")
        return Backend(
            request.param, "pgx", server.url, mode, "postgresql", "otelgo", "127.0.0.1", server.port, "42P01"
        )
    server = request.getfixturevalue("mariadb")
    # go-sql-driver speaks the MySQL protocol to MySQL and MariaDB alike and
    # cannot tell which answered: the conventions' value for it is "mysql".
    return Backend(request.param, "mysql", server.url, mode, "mysql", "otelgo", "127.0.0.1", server.port, "1146")


@pytest.fixture(scope="module")
def dbsql_bin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dbsql") / "dbsql"
    check_build(otel_build(TESTDATA / "dbsql", "-o", str(out), "."))
    return out


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


# (path, expected HTTP status, names of the statement spans under the request, in order)
SCENARIO = [
    ("/setup", 200, ["DROP items", "CREATE items"]),
    ("/insert?id=1&name=alpha", 200, ["INSERT items"]),
    ("/select?id=1", 200, ["SELECT items"]),
    ("/select?id=99", 404, ["SELECT items"]),
    ("/fail", 500, ["SELECT no_such_table"]),
    ("/tx?name=beta", 200, ["BEGIN", "UPDATE items", "COMMIT"]),
    ("/rollback", 200, ["BEGIN", "DELETE items", "ROLLBACK"]),
    ("/prepared", 200, ["PREPARE", "SELECT items", "BEGIN", "SELECT items", "COMMIT"]),
    ("/literal", 200, ["SELECT items"]),
    ("/noctx", 200, ["SELECT items"]),  # no ctx: the goroutine's span (the request's) is the parent
    ("/held", 200, ["PREPARE", "SELECT items", "SELECT items", "SELECT items"]),  # Conn, Stmt, DB
]

HELD_NS = 150_000_000  # heldFor in testdata/dbsql: how long /held keeps each query's rows


@dataclass
class Scenario:
    backend: Backend
    spans: list[Span]
    servers: dict[str, Span] = field(default_factory=dict)  # path -> SERVER span
    statements: dict[str, list[Span]] = field(default_factory=dict)  # path -> its DB spans by start

    def db(self, path: str, name: str, index: int = 0) -> Span:
        found = [s for s in self.statements[path] if s.name == name]
        assert len(found) > index, f"no {name!r} #{index} under {path}:\n{format_spans(self.spans)}"
        return found[index]


@pytest.fixture(scope="module", params=BACKENDS)
def scenario(request, dbsql_bin, tmp_path_factory) -> Scenario:
    backend = make_backend(request, tmp_path_factory.mktemp(request.param))
    out_dir = tmp_path_factory.mktemp(f"run-{request.param}")
    with OTLPReceiver() as rx:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": rx.http_endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "dbsql",
            "DB_DRIVER": backend.driver,
            "DSN": backend.dsn,
            "DB_OPEN": backend.open,
        }
        with run_program(dbsql_bin, env=env, output_dir=out_dir) as prog:
            for path, status, _ in SCENARIO:
                got, body = get(prog.url + path)
                assert got == status, f"GET {path}: {got} {body}\nstderr:\n{prog.stderr}"
        # Stopping the program flushed its spans.
        want = len(SCENARIO) + sum(len(names) for _, _, names in SCENARIO)
        spans = rx.wait_for_spans(want)
    result = Scenario(backend, spans)
    for path, _, _ in SCENARIO:
        server = _server(spans, path)
        result.servers[path] = server
        result.statements[path] = sorted(
            (s for s in children_of(spans, server) if s.scope_name == SCOPE), key=lambda s: s.start_ns
        )
    return result


def _server(spans: list[Span], path: str) -> Span:
    """The one SERVER span of the request for this path and query."""
    route, _, query = path.partition("?")
    found = [
        s
        for s in spans
        if s.kind == "SERVER" and s.attributes.get("url.path") == route and s.attributes.get("url.query", "") == query
    ]
    assert len(found) == 1, f"{len(found)} SERVER spans for {path}:\n{format_spans(spans)}"
    return found[0]


def db_spans(sc: Scenario) -> list[Span]:
    return [s for s in sc.spans if s.scope_name == SCOPE]


# --- structure -----------------------------------------------------------------


def test_every_statement_is_one_client_span_under_its_request(scenario):
    for path, _, names in SCENARIO:
        got = [s.name for s in scenario.statements[path]]
        assert got == names, f"{path}: {got}\n{format_spans(scenario.spans)}"
    # Nothing else: no duplicate spans for a retry, a fallback or a deferred Rollback.
    assert len(db_spans(scenario)) == sum(len(n) for _, _, n in SCENARIO), format_spans(scenario.spans)
    for span in db_spans(scenario):
        assert span.kind == "CLIENT", span.short()
        assert span.service_name == "dbsql"


def test_database_attributes(scenario):
    b = scenario.backend
    for span in db_spans(scenario):
        got = {k: span.attributes.get(k) for k in b.common}
        assert got == b.common, span.short()
        if b.address is None:
            assert "server.address" not in span.attributes and "server.port" not in span.attributes, span.short()


@pytest.mark.parametrize(
    "path, name, text, operation",
    [
        ("/setup", "DROP items", "DROP TABLE IF EXISTS items", "DROP"),
        ("/setup", "CREATE items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", "CREATE"),
        ("/insert?id=1&name=alpha", "INSERT items", "INSERT INTO items (id, name) VALUES (?, ?)", "INSERT"),
        ("/select?id=1", "SELECT items", "SELECT name FROM items WHERE id = ?", "SELECT"),
        ("/tx?name=beta", "UPDATE items", "UPDATE items SET name = ? WHERE id = ?", "UPDATE"),
        ("/rollback", "DELETE items", "DELETE FROM items WHERE id = ?", "DELETE"),
    ],
)
def test_statement_text_operation_and_summary(scenario, path, name, text, operation):
    span = scenario.db(path, name)
    assert span.attributes["db.query.text"] == scenario.backend.sql(text)
    assert span.attributes["db.operation.name"] == operation
    assert span.attributes["db.query.summary"] == name
    assert span.status_code == "UNSET"
    assert "error.type" not in span.attributes


def test_failing_statement_is_an_error(scenario):
    span = scenario.db("/fail", "SELECT no_such_table")
    code = scenario.backend.missing_table_code
    assert span.status_code == "ERROR"
    assert "no_such_table" in span.status_message
    assert span.attributes["error.type"] == code
    assert span.attributes["db.response.status_code"] == code
    assert span.attributes["db.query.text"] == "SELECT * FROM no_such_table"
    assert span.attributes["db.operation.name"] == "SELECT"
    assert scenario.servers["/fail"].status_code == "ERROR"


def test_no_rows_is_not_an_error(scenario):
    span = scenario.db("/select?id=99", "SELECT items")
    assert span.status_code == "UNSET"
    assert "error.type" not in span.attributes


def test_transaction_spans(scenario):
    for path in ("/tx?name=beta", "/rollback"):
        for span in scenario.statements[path]:
            assert span.status_code == "UNSET", span.short()
            assert span.parent_span_id == scenario.servers[path].span_id
    for op in ("BEGIN", "COMMIT"):
        span = scenario.db("/tx?name=beta", op)
        assert span.attributes["db.operation.name"] == op
        assert "db.query.text" not in span.attributes
    assert scenario.db("/rollback", "ROLLBACK").attributes["db.operation.name"] == "ROLLBACK"


def test_prepared_statement_spans(scenario):
    text = scenario.backend.sql("SELECT COUNT(*) FROM items WHERE name <> ?")
    prepare = scenario.db("/prepared", "PREPARE")
    assert prepare.attributes["db.operation.name"] == "PREPARE"
    assert prepare.attributes["db.query.text"] == text
    # Stmt.QueryRowContext, then the transaction's copy from Tx.StmtContext.
    for i in (0, 1):
        run = scenario.db("/prepared", "SELECT items", i)
        assert run.attributes["db.query.text"] == text
        assert run.attributes["db.operation.name"] == "SELECT"
        assert run.status_code == "UNSET"


def test_query_span_lasts_until_its_rows_are_closed(scenario):
    """A query holds its connection until its rows are closed; its span ends
    when the connection is back (through a Conn, a prepared Stmt and the DB),
    so it covers reading the rows, and its end is outside the held section."""
    selects = [s for s in scenario.statements["/held"] if s.name == "SELECT items"]
    assert len(selects) == 3, format_spans(scenario.spans)
    for span in selects:
        lasted = span.end_ns - span.start_ns
        assert lasted >= HELD_NS, f"{span.name} lasted {lasted / 1e6:.1f} ms, its rows were held {HELD_NS / 1e6:.0f} ms"
        assert span.status_code == "UNSET"
    for first, second in itertools.pairwise(selects):
        assert first.end_ns <= second.start_ns, "one query's span outlived its rows"


def test_literals_are_sanitized_when_no_arguments_are_sent(scenario):
    span = scenario.db("/literal", "SELECT items")
    assert span.attributes["db.query.text"] == "SELECT COUNT(*) FROM items WHERE name <> ? AND id > ?"


def test_call_without_context_is_a_child_of_the_request(scenario):
    """db.QueryRow without ctx: database/sql passes context.Background(); the
    span current on the handler's goroutine (the server span) is the parent."""
    server = scenario.servers["/noctx"]
    spans = [
        s
        for s in db_spans(scenario)
        if s.attributes.get("db.query.text") == "SELECT COUNT(*) FROM items" and s.trace_id == server.trace_id
    ]
    assert len(spans) == 1, format_spans(scenario.spans)
    assert spans[0].parent_span_id == server.span_id
