"""gorm instrumentation end to end: testdata/gormapp built with `otel go
build`, with current gorm (go.mod: v1.31.2, gorm.io/driver/postgres v1.6.0,
gorm.io/driver/mysql v1.6.0) and with the lowest gorm the rule supports
(-modfile=go.lowest.mod -tags nosqlite: v1.22.4, postgres v1.2.3, mysql
v1.2.3), run on SQLite (github.com/glebarez/sqlite, pure Go, current only:
it needs gorm v1.24.5), PostgreSQL (gorm.io/driver/postgres, pgx) and
MariaDB (gorm.io/driver/mysql). Its handlers use db.WithContext(r.Context()).

Each gorm operation must be one INTERNAL span under the request's SERVER
span, and the SQL it runs (database/sql's CLIENT spans, BEGIN and COMMIT of
gorm's default transaction included) must nest under it.
"""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from harness import REPO_ROOT, TESTDATA, check_build, find_go, otel_build, run_program
from otlp import OTLPReceiver, Span, children_of, format_spans

GORM_SCOPE = "otelgo.dev/rules/gorm"
SQL_SCOPE = "otelgo.dev/rules/databasesql"
GORMAPP = TESTDATA / "gormapp"


@pytest.fixture(scope="module")
def gormapp_bins(tmp_path_factory):
    """Built on first use: bins["current"] and bins["lowest"]."""
    built: dict[str, Path] = {}
    out_dir = tmp_path_factory.mktemp("gormapp")

    def get(version: str) -> Path:
        if version not in built:
            out = out_dir / f"gormapp-{version}"
            args = ["-modfile=go.lowest.mod", "-tags=nosqlite"] if version == "lowest" else []
            check_build(otel_build(GORMAPP, *args, "-o", str(out), "."))
            built[version] = out
        return built[version]

    return get


@dataclass
class Backend:
    id: str
    dialect: str
    dsn: str
    version: str  # "current" or "lowest"
    system: str
    namespace: str
    address: str | None
    port: int | None
    quote: str  # how gorm quotes names for this dialect
    missing_table_code: str

    def q(self, name: str) -> str:
        return f"{self.quote}{name}{self.quote}"


BACKENDS = ["sqlite", "postgres", "mysql", "postgres-lowest", "mysql-lowest"]


def make_backend(request, tmp_path: Path) -> Backend:
    kind, _, version = request.param.partition("-")
    version = version or "current"
    if kind == "sqlite":
        path = str(tmp_path / "gorm.db")
        return Backend(request.param, "sqlite", path, version, "sqlite", path, None, None, "`", "1")
    if kind == "mysql":
        server = request.getfixturevalue("mariadb")
        return Backend(
            request.param, "mysql", server.url, version, "mysql", "otelgo", "127.0.0.1", server.port, "`", "1146"
        )
    server = request.getfixturevalue("postgres")
    return Backend(
        request.param, "postgres", server.url, version, "postgresql", "otelgo", "127.0.0.1", server.port, '"', "42P01"
    )


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


SCENARIO = [
    ("/migrate", 200),
    ("/create?name=alpha", 200),
    ("/get?id=1", 200),
    ("/get?id=42", 404),
    ("/update?id=1&name=beta", 200),
    ("/fail", 500),
    ("/transaction", 200),
    ("/delete?id=1", 200),
]


@dataclass
class Scenario:
    backend: Backend
    spans: list[Span]
    servers: dict[str, Span] = field(default_factory=dict)

    def under(self, span: Span) -> list[Span]:
        """The gorm and SQL spans right under span, by start time."""
        return sorted(
            (s for s in children_of(self.spans, span) if s.scope_name in (GORM_SCOPE, SQL_SCOPE)),
            key=lambda s: s.start_ns,
        )

    def names_under(self, span: Span) -> list[str]:
        return [s.name for s in self.under(span)]

    def only_gorm_span(self, path: str) -> Span:
        spans = self.under(self.servers[path])
        assert [s.scope_name for s in spans] == [GORM_SCOPE], f"{path}:\n{format_spans(self.spans)}"
        return spans[0]


def descendants(spans: list[Span], root: Span) -> list[Span]:
    out, todo = [], [root]
    while todo:
        for c in children_of(spans, todo.pop()):
            out.append(c)
            todo.append(c)
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def scenario(request, gormapp_bins, tmp_path_factory) -> Scenario:
    backend = make_backend(request, tmp_path_factory.mktemp(request.param))
    binary = gormapp_bins(backend.version)
    out_dir = tmp_path_factory.mktemp(f"run-{request.param}")
    with OTLPReceiver() as rx:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": rx.http_endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "gormapp",
            "GORM_DIALECT": backend.dialect,
            "DSN": backend.dsn,
        }
        with run_program(binary, env=env, output_dir=out_dir) as prog:
            for path, status in SCENARIO:
                got, body = get(prog.url + path)
                assert got == status, f"GET {path}: {got} {body}\nstderr:\n{prog.stderr}"
        # Stopping the program flushed its spans.
        spans = rx.wait_for_spans(lambda spans: sum(s.kind == "SERVER" for s in spans) >= len(SCENARIO))
    result = Scenario(backend, spans)
    for path, _ in SCENARIO:
        route, _, query = path.partition("?")
        found = [
            s
            for s in spans
            if s.kind == "SERVER"
            and s.attributes.get("url.path") == route
            and s.attributes.get("url.query", "") == query
        ]
        assert len(found) == 1, f"{path}:\n{format_spans(spans)}"
        result.servers[path] = found[0]
    return result


def test_every_span_belongs_to_a_request(scenario):
    """Every gorm span, and every SQL span after start-up (gorm.Open's
    dialector may query the server version), is in the trace of one SERVER
    span and descends from it."""
    inside = set()
    for server in scenario.servers.values():
        inside.update(s.span_id for s in descendants(scenario.spans, server))
    first_request = min(s.start_ns for s in scenario.servers.values())
    for span in scenario.spans:
        if span.scope_name == GORM_SCOPE or span.scope_name == SQL_SCOPE and span.start_ns > first_request:
            assert span.span_id in inside, f"{span.short()}\n{format_spans(scenario.spans)}"
        if span.scope_name in (GORM_SCOPE, SQL_SCOPE):
            want = "INTERNAL" if span.scope_name == GORM_SCOPE else "CLIENT"
            assert span.kind == want, span.short()


def test_migrate_runs_under_the_request(scenario):
    b = scenario.backend
    below = descendants(scenario.spans, scenario.servers["/migrate"])
    assert any(s.scope_name == GORM_SCOPE for s in below), format_spans(scenario.spans)
    creates = [s for s in below if s.scope_name == SQL_SCOPE and s.name == f"CREATE {b.q('gadgets')}"]
    assert len(creates) == 1, format_spans(scenario.spans)


@pytest.mark.parametrize(
    "path, op, sql",
    [
        ("/create?name=alpha", "Create", ["BEGIN", "INSERT", "COMMIT"]),
        ("/get?id=1", "Query", ["SELECT"]),
        ("/get?id=42", "Query", ["SELECT"]),
        ("/update?id=1&name=beta", "Update", ["BEGIN", "UPDATE", "COMMIT"]),
        ("/delete?id=1", "Delete", ["BEGIN", "DELETE", "COMMIT"]),
    ],
)
def test_operation_span_and_its_sql(scenario, path, op, sql):
    b = scenario.backend
    span = scenario.only_gorm_span(path)
    assert span.name == f"gorm.{op} gadgets"
    assert span.kind == "INTERNAL"
    assert span.status_code == "UNSET", span.short()  # a record not found is no error
    assert span.attributes["db.system.name"] == b.system
    assert span.attributes["db.collection.name"] == "gadgets"
    # The database the operation is on, as its SQL's spans name it.
    assert span.attributes["db.namespace"] == b.namespace
    assert span.attributes.get("server.address") == b.address
    assert span.attributes.get("server.port") == b.port
    statement = [s for s in sql if s not in ("BEGIN", "COMMIT")][0]
    assert span.attributes["db.query.text"].startswith(statement), span.attributes

    children = scenario.under(span)
    assert [s.name for s in children] == [x if x in ("BEGIN", "COMMIT") else f"{x} {b.q('gadgets')}" for x in sql], (
        format_spans(scenario.spans)
    )
    for child in children:
        assert child.scope_name == SQL_SCOPE and child.kind == "CLIENT"
        assert child.status_code == "UNSET", child.short()
        assert child.attributes["db.system.name"] == b.system
        assert child.attributes["db.namespace"] == b.namespace
        assert child.attributes.get("server.address") == b.address
        assert child.attributes.get("server.port") == b.port
    # The statement's text in the gorm span is the one database/sql sent.
    sent = next(c for c in children if c.name.startswith(statement))
    assert sent.attributes["db.query.text"] == span.attributes["db.query.text"]
    assert sent.attributes["db.operation.name"] == statement


def test_failing_operation(scenario):
    b = scenario.backend
    span = scenario.only_gorm_span("/fail")
    assert span.name == "gorm.Query no_such_table"
    assert span.status_code == "ERROR"
    assert span.attributes["error.type"] == b.missing_table_code
    (child,) = scenario.under(span)
    assert child.name == f"SELECT {b.q('no_such_table')}"
    assert child.status_code == "ERROR"
    assert child.attributes["error.type"] == b.missing_table_code
    assert child.attributes["db.response.status_code"] == b.missing_table_code


def test_transaction(scenario):
    b = scenario.backend
    server = scenario.servers["/transaction"]
    assert scenario.names_under(server) == ["BEGIN", "gorm.Create gadgets", "gorm.Update gadgets", "COMMIT"], (
        format_spans(scenario.spans)
    )
    create, update = scenario.under(server)[1:3]
    assert scenario.names_under(create) == [f"INSERT {b.q('gadgets')}"]
    assert scenario.names_under(update) == [f"UPDATE {b.q('gadgets')}"]


def test_hook_package_unit_tests():
    out = subprocess.run(
        [find_go(), "test", "-count=1", "./..."],
        cwd=REPO_ROOT / "rules" / "gorm",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
