"""pgx v5 and v4 natively, and sqlx, bun and ent over database/sql, end to
end: testdata/pgapp, built with `otel go build` at both ends of the rules'
ranges (go.mod: pgx v5.13.0 and v4.18.3; oldest.mod: v5.0.0 and v4.18.0;
sqlx v1.4.0, bun v1.3.0 and ent v0.14.5 in both), against a real
PostgreSQL server.

Every statement, batch, COPY and Prepare of pgx.Conn and pgxpool is one
CLIENT span under the request's SERVER span (or under the span current on
the goroutine when the call has no context), with the current database
conventions, and is measured in db.client.operation.duration. Statements
sent through database/sql (sqlx, bun, ent, all on pgx's stdlib driver) get
database/sql's span alone: pgx adds none below it.
"""

from __future__ import annotations

import pytest
from harness import TESTDATA
from otlp import OTLPReceiver, format_points, histogram, metric_points, series
from scenario import VARIANTS, build, check_client, drive, otel_env

APP = TESTDATA / "pgapp"
V5 = "otelgo.dev/rules/pgx"
V4 = "otelgo.dev/rules/pgx/pgxv4"
SQL = "otelgo.dev/rules/databasesql"
ROUTES = [
    ("/v5/conn?id=1", 200),
    ("/v5/conn?id=999", 404),
    ("/v5/pool/exec", 200),
    ("/v5/tx", 200),
    ("/v5/batch", 200),
    ("/v5/copy", 200),
    ("/v5/prepare", 200),
    ("/v5/error", 500),
    ("/v5/background", 200),
    ("/v5/goroutine", 200),
    ("/v5/owntracer", 200),
    ("/v4/query", 200),
    ("/v4/tx", 200),
    ("/v4/batch", 200),
    ("/v4/copy", 200),
    ("/v4/error", 500),
    ("/sqlx", 200),
    ("/bun", 200),
    ("/ent", 200),
]
INSERT = "INSERT INTO items (name, n) VALUES ($1, $2)"


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, postgres):
    out = tmp_path_factory.mktemp(f"pgapp-{request.param}")
    binary = build(APP, request.param, out)
    with OTLPReceiver() as rx:
        requests = drive(binary, ROUTES, otel_env(rx, "pgapp", PG_DSN=postgres.url), rx, out)
        return requests, metric_points(rx), postgres.port


def db(port: int) -> dict:
    return {
        "db.system.name": "postgresql",
        "db.namespace": "otelgo",
        "server.address": "127.0.0.1",
        "server.port": port,
    }


def only(req, scope: str):
    spans = [s for s in req.spans if s.scope_name in (V5, V4, SQL)]
    assert [s.scope_name for s in spans] == [scope] * len(spans) and spans, req.tree()
    return spans


def test_conn_query_with_argument(run):
    requests, _, port = run
    req = requests["/v5/conn?id=1"]
    (span,) = only(req, V5)
    check_client(
        span,
        req.server,
        **db(port),
        **{
            "db.query.text": "SELECT name FROM items WHERE id = $1",
            "db.operation.name": "SELECT",
            "db.query.summary": "SELECT items",
        },
    )
    assert span.name == "SELECT items" and span.status_code == "UNSET"
    # No row is no error.
    (span,) = only(requests["/v5/conn?id=999"], V5)
    assert span.status_code == "UNSET" and "error.type" not in span.attributes


def test_pool_exec_without_arguments_is_sanitized(run):
    requests, _, port = run
    req = requests["/v5/pool/exec"]
    (span,) = only(req, V5)
    check_client(
        span,
        req.server,
        **db(port),
        **{"db.query.text": "UPDATE items SET n = n + ? WHERE name = ?", "db.operation.name": "UPDATE"},
    )
    assert span.name == "UPDATE items"


def test_transaction(run):
    requests, _, port = run
    req = requests["/v5/tx"]
    spans = sorted(only(req, V5), key=lambda s: s.start_ns)
    assert [s.name for s in spans] == ["begin", "INSERT items", "commit"], req.tree()
    for span in spans:
        check_client(span, req.server, **db(port))
    assert spans[1].attributes["db.query.text"] == INSERT


def test_batch_is_one_span(run):
    requests, _, port = run
    req = requests["/v5/batch"]
    (span,) = only(req, V5)
    check_client(
        span,
        req.server,
        **db(port),
        **{
            "db.operation.name": "BATCH INSERT",
            "db.query.summary": "BATCH INSERT items",
            "db.operation.batch.size": 2,
            "db.query.text": INSERT,
        },
    )
    assert span.name == "BATCH INSERT items" and span.status_code == "UNSET"


def test_copy_from(run):
    requests, _, port = run
    req = requests["/v5/copy"]
    (span,) = only(req, V5)
    check_client(
        span,
        req.server,
        **db(port),
        **{
            "db.operation.name": "COPY",
            "db.collection.name": "items",
            "db.query.text": 'copy "items" ( "name", "n" ) from stdin binary;',
        },
    )
    assert span.name == "COPY items"


def test_prepare(run):
    """An explicit Prepare is a span; running the statement by its name is
    a span with the prepared text. The prepares pgx makes on its own (its
    statement cache, CopyFrom) are part of their statement's span."""
    requests, _, port = run
    req = requests["/v5/prepare"]
    spans = sorted(only(req, V5), key=lambda s: s.start_ns)
    assert [s.name for s in spans] == ["PREPARE", "SELECT items"], req.tree()
    text = "SELECT count(*) FROM items WHERE n > $1"
    check_client(spans[0], req.server, **db(port), **{"db.operation.name": "PREPARE", "db.query.text": text})
    check_client(spans[1], req.server, **db(port), **{"db.operation.name": "SELECT", "db.query.text": text})


def test_error(run):
    requests, _, port = run
    req = requests["/v5/error"]
    (span,) = only(req, V5)
    check_client(span, req.server, **db(port), **{"error.type": "42P01", "db.response.status_code": "42P01"})
    assert span.status_code == "ERROR" and "no_such_table" in span.status_message


@pytest.mark.parametrize("path", ["/v5/background", "/v5/goroutine"])
def test_call_without_context_nests(run, path):
    """context.Background() in the handler, and in a goroutine it starts:
    the span current on the goroutine is the parent."""
    requests, _, port = run
    req = requests[path]
    (span,) = only(req, V5)
    check_client(span, req.server, **db(port))


def test_program_tracer_is_left_alone(run):
    """A connection whose config has the program's own tracer (tracelog,
    which the program checks was called) gets no tracer of ours."""
    requests, _, _ = run
    req = requests["/v5/owntracer"]
    assert req.status == 200
    assert not [s for s in req.spans if s.scope_name in (V5, SQL)], req.tree()


def test_v4_query_and_transaction(run):
    requests, _, port = run
    req = requests["/v4/query"]
    (span,) = only(req, V4)
    check_client(span, req.server, **db(port), **{"db.query.text": "SELECT name FROM items WHERE id = $1"})
    assert span.name == "SELECT items"
    req = requests["/v4/tx"]
    spans = sorted(only(req, V4), key=lambda s: s.start_ns)
    assert [s.name for s in spans] == ["begin", "INSERT items", "commit"], req.tree()
    for span in spans:
        check_client(span, req.server, **db(port))


def test_v4_batch_copy_and_error(run):
    requests, _, port = run
    req = requests["/v4/batch"]
    (span,) = only(req, V4)
    check_client(
        span,
        req.server,
        **db(port),
        **{"db.operation.name": "BATCH INSERT", "db.operation.batch.size": 2, "db.query.text": INSERT},
    )
    req = requests["/v4/copy"]
    (span,) = only(req, V4)
    check_client(span, req.server, **db(port), **{"db.collection.name": "items", "db.operation.name": "COPY"})
    req = requests["/v4/error"]
    (span,) = only(req, V4)
    check_client(span, req.server, **db(port), **{"error.type": "42P01"})
    assert span.status_code == "ERROR"


@pytest.mark.parametrize("path", ["/sqlx", "/bun", "/ent"])
def test_database_sql_libraries_get_one_span(run, path):
    """sqlx, bun and ent run their SQL through database/sql on pgx's stdlib
    driver: database/sql's CLIENT span, and no pgx span below it."""
    requests, _, port = run
    req = requests[path]
    spans = only(req, SQL)
    selects = [s for s in spans if s.attributes.get("db.operation.name") == "SELECT"]
    assert len(selects) == 1, req.tree()
    check_client(selects[0], req.server, **db(port))
    assert selects[0].attributes["db.query.summary"].startswith("SELECT"), selects[0].attributes


def test_operation_duration(run):
    _, points, port = run
    name = "db.client.operation.duration"
    got = histogram(
        points,
        name,
        "pgapp",
        {**db(port), "db.operation.name": "COPY", "db.collection.name": "items", "db.query.summary": "COPY items"},
        V5,
    )
    assert got.count == 1
    failed = {
        **db(port),
        "db.operation.name": "SELECT",
        "db.query.summary": "SELECT no_such_table",
        "db.response.status_code": "42P01",
        "error.type": "42P01",
    }
    assert histogram(points, name, "pgapp", failed, V5).count == 1
    assert histogram(points, name, "pgapp", failed, V4).count == 1
    v4 = [p for p in series(points, name, "pgapp") if p.scope_name == V4]
    # query, begin, INSERT, commit, BATCH, COPY, error.
    assert sum(p.count for p in v4) == 7, format_points(v4)
