"""Metrics end to end: programs built with `otel go build` export the
duration histograms of the semantic conventions for what they serve and call,
and the Go runtime's metrics, to a real OTLP receiver (or a Prometheus
scrape), chosen by OTEL_METRICS_EXPORTER.

The instruments and where they come from:
  http.server.request.duration, http.client.request.duration  otelgo.dev/rules/nethttp
  db.client.operation.duration                                otelgo.dev/rules/databasesql,
                                                              otelgo.dev/rules/goredis, .../redigo
  rpc.server.call.duration, rpc.client.call.duration          otelgo.dev/rules/grpc (semconv v1.39
                                                              names; rpc.server.duration before)
  go.goroutine.count, go.memory.*, go.config.gogc, ...        contrib instrumentation/runtime

Unless a test says otherwise the periodic export never fires
(OTEL_METRIC_EXPORT_INTERVAL of ten minutes): what arrives was flushed when
the program ended (SIGTERM), with cumulative totals since it started.
"""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from harness import TESTDATA, check_build, free_port, otel_build
from otlp import format_points, histogram, latest_points, metric_points, series, total
from scenario import get

NETHTTP = "otelgo.dev/rules/nethttp"
DATABASESQL = "otelgo.dev/rules/databasesql"
GOREDIS = "otelgo.dev/rules/goredis"
REDIGO = "otelgo.dev/rules/redigo"
GRPC = "otelgo.dev/rules/grpc"
RUNTIME = "go.opentelemetry.io/contrib/instrumentation/runtime"
NEVER = "600000"  # ms: OTEL_METRIC_EXPORT_INTERVAL that leaves only the flush at exit
N = 5  # successful requests each test makes


def otel_env(receiver, protocol: str = "http/protobuf", **extra: str) -> dict[str, str]:
    endpoint = receiver.grpc_endpoint if protocol == "grpc" else receiver.http_endpoint
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": NEVER,
        **extra,
    }


# --- HTTP ----------------------------------------------------------------------


@contextlib.contextmanager
def chain(bins, run_program, env):
    with run_program(bins["backend"], env=env) as backend:
        with run_program(bins["frontend"], env=dict(env, BACKEND_URL=backend.url)) as frontend:
            yield frontend, backend


def test_http_server_and_client_duration(httpchain_otel, receiver, run_program):
    with chain(httpchain_otel, run_program, otel_env(receiver)) as (frontend, backend):
        for i in range(N):
            assert get(f"{frontend.url}/hello/{i}") == 200
        for _ in range(2):
            assert get(frontend.url + "/boom") == 502
    # Both stopped: each flushed its metrics once, on SIGTERM.
    assert frontend.stderr == "" and backend.stderr == "", (frontend.stderr, backend.stderr)
    points = metric_points(receiver)
    server = "http.server.request.duration"
    base = {"http.request.method": "GET", "url.scheme": "http", "network.protocol.version": "1.1"}

    hello = histogram(
        points, server, "frontend", {**base, "http.route": "/hello/{name}", "http.response.status_code": 200}
    )
    assert hello.count == N and hello.scope_name == NETHTTP
    boom = histogram(
        points,
        server,
        "frontend",
        {**base, "http.route": "/boom", "http.response.status_code": 502, "error.type": "502"},
    )
    assert boom.count == 2
    assert total(points, server, "frontend") == N + 2, format_points(points)
    assert (
        histogram(points, server, "backend", {**base, "http.route": "/work", "http.response.status_code": 200}).count
        == N
    )
    assert (
        histogram(
            points,
            server,
            "backend",
            {**base, "http.route": "/fail", "http.response.status_code": 500, "error.type": "500"},
        ).count
        == 2
    )

    client = "http.client.request.duration"
    target = {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": backend.port,
        "url.scheme": "http",
        "network.protocol.version": "1.1",
    }
    ok = histogram(points, client, "frontend", {**target, "http.response.status_code": 200})
    assert ok.count == N and ok.scope_name == NETHTTP
    failed = histogram(points, client, "frontend", {**target, "http.response.status_code": 500, "error.type": "500"})
    assert failed.count == 2
    # The OTLP exports themselves are not measured.
    assert total(points, client, "frontend") == N + 2, format_points(points)
    assert series(points, client, "backend") == []
    # The client call takes part of the server request's time.
    assert ok.sum < hello.sum


@pytest.fixture(scope="module")
def backend_with_prometheus(tmp_path_factory) -> Path:
    """httpchain's backend built with the Prometheus exporter, which a
    build links only when --exporters names it."""
    out = tmp_path_factory.mktemp("prometheus") / "backend"
    result = check_build(
        otel_build(TESTDATA / "httpchain", "--exporters", "otlp,prometheus", "-o", str(out), "./cmd/backend")
    )
    assert "exporters: otlp, prometheus (" in result.stderr, result.stderr
    return out


def _prometheus_env(port: int) -> dict[str, str]:
    return {
        "OTEL_METRICS_EXPORTER": "prometheus",
        "OTEL_EXPORTER_PROMETHEUS_HOST": "127.0.0.1",
        "OTEL_EXPORTER_PROMETHEUS_PORT": str(port),
        "OTEL_TRACES_EXPORTER": "none",
    }


def test_prometheus_exporter(backend_with_prometheus, run_program):
    port = free_port()
    with run_program(backend_with_prometheus, env=_prometheus_env(port)) as backend:
        for _ in range(N):
            assert get(backend.url + "/work") == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=15) as resp:
            text = resp.read().decode()
    lines = [line for line in text.splitlines() if line.startswith("http_server_request_duration_seconds_count{")]
    work = [line for line in lines if 'http_route="/work"' in line]
    assert len(work) == 1, text
    assert work[0].endswith(f" {N}"), work[0]
    for label in ('http_request_method="GET"', 'http_response_status_code="200"', 'url_scheme="http"'):
        assert label in work[0], work[0]
    assert "go_goroutine_count" in text, text


def test_prometheus_not_linked_by_default_says_how_to_link_it(httpchain_otel, run_program):
    """The default build has no Prometheus exporter: asked for at run time,
    the program says so on one line, with the flag that links it, and
    serves as before (no scrape endpoint)."""
    port = free_port()
    with run_program(httpchain_otel["backend"], env=_prometheus_env(port)) as backend:
        assert get(backend.url + "/work") == 200
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)
    lines = [line for line in backend.stderr.splitlines() if "prometheus" in line.lower()]
    assert len(lines) == 1, backend.stderr
    assert "built without the prometheus exporter" in lines[0] and "--exporters otlp,prometheus" in lines[0]


# --- runtime ---------------------------------------------------------------------


RUNTIME_UNITS = {
    "go.goroutine.count": "{goroutine}",
    "go.memory.used": "By",
    "go.memory.allocated": "By",
    "go.memory.allocations": "{allocation}",
    "go.memory.gc.goal": "By",
    "go.processor.limit": "{thread}",
    "go.config.gogc": "%",
}


def test_runtime_metrics_exported_periodically(httpchain_otel, receiver, run_program):
    env = otel_env(receiver, OTEL_METRIC_EXPORT_INTERVAL="200")
    with run_program(httpchain_otel["backend"], env=env):
        # Two exports while it runs: the periodic reader honours the variable.
        deadline = time.monotonic() + 20
        while len(receiver.requests("metrics")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(receiver.requests("metrics")) >= 2, receiver.records
    points = [p for p in latest_points(metric_points(receiver)) if p.scope_name == RUNTIME]
    got = {p.name: p.unit for p in points}
    assert got.items() >= RUNTIME_UNITS.items(), format_points(points)
    goroutines = [p for p in points if p.name == "go.goroutine.count"]
    assert len(goroutines) == 1 and goroutines[0].value >= 2, goroutines  # main and the server's accept loop
    memory = {p.attributes.get("go.memory.type") for p in points if p.name == "go.memory.used"}
    assert memory == {"stack", "other"}, format_points(points)
    assert all(p.service_name == "backend" for p in points)


# --- database/sql ----------------------------------------------------------------


@pytest.fixture(scope="module")
def dbsql_bin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("metrics-dbsql") / "dbsql"
    result = check_build(otel_build(TESTDATA / "dbsql", "-o", str(out), "."))
    # The build summary says which metrics the program exports.
    # The instruments each library's rule file names, by library.
    assert (
        "  metrics: db.client.operation.duration (database/sql, pgx); "
        "http.server.request.duration, http.client.request.duration (net/http); "
        "go.memory.used, go.memory.limit, go.memory.allocated, go.memory.allocations, go.memory.gc.goal, "
        "go.goroutine.count, go.processor.limit, go.config.gogc (SDK and Go runtime); "
        "off with OTEL_METRICS_EXPORTER=none\n"
    ) in result.stderr, result.stderr
    return out


def test_db_client_operation_duration(dbsql_bin, receiver, run_program, tmp_path):
    path = str(tmp_path / "app.db")
    env = otel_env(receiver, OTEL_SERVICE_NAME="dbsql", DB_DRIVER="sqlite", DSN=path, DB_OPEN="open")
    with run_program(dbsql_bin, env=env) as prog:
        assert get(prog.url + "/setup") == 200
        for i in range(N):
            assert get(f"{prog.url}/insert?id={i}&name=n{i}") == 200
        for i in range(N):
            assert get(f"{prog.url}/select?id={i}") == 200
        assert get(prog.url + "/fail") == 500
    points = metric_points(receiver)
    name = "db.client.operation.duration"
    db = {"db.system.name": "sqlite", "db.namespace": path}
    insert = histogram(points, name, "dbsql", {**db, "db.operation.name": "INSERT", "db.query.summary": "INSERT items"})
    assert insert.count == N and insert.scope_name == DATABASESQL
    select = histogram(points, name, "dbsql", {**db, "db.operation.name": "SELECT", "db.query.summary": "SELECT items"})
    assert select.count == N
    failed = histogram(
        points,
        name,
        "dbsql",
        {
            **db,
            "db.operation.name": "SELECT",
            "db.query.summary": "SELECT no_such_table",
            "db.response.status_code": "1",
            "error.type": "1",
        },
    )
    assert failed.count == 1
    # DROP and CREATE of /setup, and nothing else.
    assert total(points, name, "dbsql") == 2 * N + 3, format_points(points)
    # db.query.text is opt-in for metrics (high cardinality): never there.
    assert not any("db.query.text" in p.attributes for p in series(points, name, "dbsql"))


# --- Redis ----------------------------------------------------------------------


def test_redis_operation_duration(redis, receiver, run_program, tmp_path):
    out = tmp_path / "redisapp"
    check_build(otel_build(TESTDATA / "redisapp", "-o", str(out), "."))
    env = otel_env(receiver, OTEL_SERVICE_NAME="redisapp", REDIS_ADDR=redis.addr)
    with run_program(out, env=env) as app:
        for i in range(N):
            assert get(f"{app.url}/goredis/set?key=k{i}&value=v") == 200
            assert get(app.url + "/redigo/do") == 200
        assert get(app.url + "/goredis/error") == 500
    points = metric_points(receiver)
    name = "db.client.operation.duration"
    server = {"db.system.name": "redis", "server.address": "127.0.0.1", "server.port": redis.port, "db.namespace": "0"}
    # go-redis sends its commands' names in lower case; db.operation.name keeps them as sent.
    goredis = histogram(points, name, "redisapp", {**server, "db.operation.name": "set"}, GOREDIS)
    assert goredis.count == N
    failed = histogram(
        points,
        name,
        "redisapp",
        {**server, "db.operation.name": "NOSUCHCOMMAND", "db.response.status_code": "ERR", "error.type": "ERR"},
        GOREDIS,
    )
    assert failed.count == 1
    # redigo: SET with DoContext, GET with Do (no ctx), each once per request.
    redigo = [p for p in series(points, name, "redisapp") if p.scope_name == REDIGO]
    got = {p.attributes["db.operation.name"]: p.count for p in redigo}
    assert got == {"SET": N, "GET": N}, format_points(redigo)
    assert all(p.attributes == {**server, "db.operation.name": p.attributes["db.operation.name"]} for p in redigo)


# --- gRPC --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grpcapp(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("metrics-grpcapp")
    result = check_build(otel_build(TESTDATA / "grpcapp", "-o", f"{out}/", "./cmd/frontend", "./cmd/health"))
    assert "rpc.server.call.duration, rpc.client.call.duration (grpc);" in result.stderr, result.stderr
    return {name: out / name for name in ("frontend", "health")}


def test_rpc_call_duration(grpcapp, receiver, run_program):
    # Exports over OTLP/gRPC: the exporters' own RPCs must not be measured.
    env = otel_env(receiver, "grpc")
    with run_program(grpcapp["health"], env=env) as health:
        with run_program(grpcapp["frontend"], env=dict(env, GRPC_ADDR=health.addr)) as frontend:
            for _ in range(N):
                assert get(frontend.url + "/check/shop") == 200
            assert get(frontend.url + "/check/missing") == 404
    assert {r.transport for r in receiver.requests("metrics")} == {"grpc"}
    points = metric_points(receiver)
    rpc = {
        "rpc.system.name": "grpc",
        "rpc.method": "grpc.health.v1.Health/Check",
        "server.address": "127.0.0.1",
        "server.port": health.port,
    }
    for name, service in (("rpc.client.call.duration", "frontend"), ("rpc.server.call.duration", "health")):
        ok = histogram(points, name, service, {**rpc, "rpc.response.status_code": "OK"})
        assert ok.count == N and ok.scope_name == GRPC
        assert histogram(points, name, service, {**rpc, "rpc.response.status_code": "NOT_FOUND"}).count == 1
        assert total(points, name, service) == N + 1, format_points(points)
    # The HTTP side of the frontend is measured too.
    check = histogram(
        points,
        "http.server.request.duration",
        "frontend",
        {
            "http.request.method": "GET",
            "url.scheme": "http",
            "network.protocol.version": "1.1",
            "http.route": "/check/{service}",
            "http.response.status_code": 200,
        },
    )
    assert check.count == N


# --- switched off ------------------------------------------------------------------


def test_metrics_exporter_none(httpchain_otel, receiver, run_program):
    env = otel_env(receiver, OTEL_METRICS_EXPORTER="none")
    with chain(httpchain_otel, run_program, env) as (frontend, _):
        assert get(frontend.url + "/hello/x") == 200
    receiver.wait_for_spans(3)
    assert receiver.requests("metrics") == []
    assert frontend.stderr == ""


def test_sdk_disabled(httpchain_otel, receiver, run_program):
    env = otel_env(receiver, OTEL_SDK_DISABLED="true")
    with chain(httpchain_otel, run_program, env) as (frontend, _):
        assert get(frontend.url + "/hello/x") == 200
    assert receiver.records == []
    assert frontend.stderr == ""
