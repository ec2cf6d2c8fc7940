"""Programs already partly instrumented by hand (testdata/handmade): otelhttp
around one route of the ServeMux and around the client's transport,
XSAM/otelsql around the database driver, redisotel on the Redis client,
otelgin, otelecho and otelmux on gin, echo and gorilla/mux routers.
otelgo steps aside where the program traces an operation itself: one span
per operation, the program's, and the trace stays one tree. Built at both
ends of the wrappers' ranges (go.mod: otelhttp v0.72.0, otelsql v0.44.0,
redisotel v9.23.0, OpenTelemetry v1.47; oldest.mod: v0.49.0, v0.27.0,
v9.0.5; otelgin, otelecho, otelmux v0.66.0 and v0.49.0)."""

from __future__ import annotations

import pytest
from harness import TESTDATA, TargetServer, free_port, wait_for_port
from otlp import OTLPReceiver, format_spans
from scenario import VARIANTS, build, drive, get, otel_env, serves

APP = TESTDATA / "handmade"
HANDOVER = TESTDATA / "handover"
OTELHTTP = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
OTELSQL = "github.com/XSAM/otelsql"
REDISOTEL = "github.com/redis/go-redis/extra/redisotel"
NETHTTP = "otelgo.dev/rules/nethttp"
ROUTERS = {
    "gin": "go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin",
    "echo": "go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho",
    "mux": "go.opentelemetry.io/contrib/instrumentation/github.com/gorilla/mux/otelmux",
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, redis):
    out = tmp_path_factory.mktemp(f"handmade-{request.param}")
    binary = build(APP, request.param, out)
    ports = {name: free_port() for name in ROUTERS}
    with TargetServer() as backend, OTLPReceiver() as rx:
        env = otel_env(rx, "handmade", REDIS_ADDR=redis.addr, BACKEND_URL=backend.url + "/data")
        env |= {f"{name.upper()}_ADDR": f"127.0.0.1:{port}" for name, port in ports.items()}

        def routers():
            for port in ports.values():
                wait_for_port(port)
                assert get(f"http://127.0.0.1:{port}/items/7") == 200

        behind = [(f"/{router}/items/7", 200) for router in ROUTERS]
        routes = [("/work", 200), ("/deep", 200), *behind, ("/plain", 200)]
        requests = drive(binary, routes, env, rx, out, before_stop=routers)
        return requests, rx.spans, backend.requests


def test_one_server_span_for_a_route_otelhttp_serves(run):
    requests, spans, _ = run
    servers = [s for s in spans if serves(s, "/work")]
    assert len(servers) == 1, format_spans(spans)
    assert servers[0].scope_name == OTELHTTP and requests["/work"].server is servers[0]


def test_an_otelhttp_handler_behind_a_middleware_is_handed_otelgos_span(run):
    """/deep's otelhttp handler sits behind a middleware of the program's:
    otelgo has started the request's SERVER span when the handler starts
    its own, and hands it that one: one SERVER span, otelgo's, named after
    the ServeMux pattern, with the wrappers' spans of the request under it
    in one trace."""
    requests, spans, received = run
    servers = [s for s in spans if serves(s, "/deep")]
    assert len(servers) == 1, format_spans(spans)
    deep = requests["/deep"]
    assert deep.server.scope_name == NETHTTP and deep.server.name == "GET /deep", deep.tree()
    assert deep.server.attributes["http.response.status_code"] == 200
    scopes = {s.scope_name for s in deep.spans}
    assert {OTELHTTP, OTELSQL} <= scopes, deep.tree()
    assert all(s.trace_id == deep.server.trace_id for s in deep.spans)
    (client,) = [s for s in deep.spans if s.kind == "CLIENT" and s.scope_name == OTELHTTP]
    assert client.parent_span_id == deep.server.span_id, deep.tree()
    trace_ids = {call.headers["traceparent"].split("-")[1] for call in received}
    assert deep.server.trace_id in trace_ids


@pytest.mark.parametrize(
    "router,route", [("gin", "/gin/items/:id"), ("echo", "/echo/items/:id"), ("mux", "/mux/items/{id}")]
)
def test_a_router_with_its_own_middleware_behind_a_middleware_is_handed_otelgos_span(run, router, route):
    """/gin/, /echo/, /mux/: a router with its contrib middleware, behind the
    ServeMux and a middleware of the program's: the middleware is handed
    otelgo's SERVER span, which the router's route names."""
    requests, spans, _ = run
    path = f"/{router}/items/7"
    servers = [s for s in spans if serves(s, path)]
    assert len(servers) == 1, format_spans(spans)
    server = requests[path].server
    assert (server.scope_name, server.name) == (NETHTTP, f"GET {route}"), format_spans(spans)


def test_the_handover_on_the_oldest_opentelemetry(tmp_path):
    """testdata/handover: the same, on OpenTelemetry v1.24.0 (otelgo's SDK
    of that core) and otelhttp v0.49.0: one SERVER span, otelgo's, with what
    otelhttp set on it."""
    binary = build(HANDOVER, "newest", tmp_path)
    with OTLPReceiver() as rx:
        requests = drive(binary, [("/deep", 200)], otel_env(rx, "handover"), rx, tmp_path)
        servers = [s for s in rx.spans if s.kind == "SERVER"]
    assert len(servers) == 1, format_spans(rx.spans)
    (server,) = servers
    assert server is requests["/deep"].server
    assert (server.scope_name, server.name) == (NETHTTP, "GET /deep")
    # What otelhttp v0.49.0 sets as the request ends, in its conventions.
    assert server.attributes["http.wrote_bytes"] == len("deep\n"), sorted(server.attributes)
    assert server.attributes["http.status_code"] == 200


def test_one_client_span_per_call_and_its_context_sent(run):
    requests, spans, received = run
    work = requests["/work"]
    clients = [s for s in work.spans if s.kind == "CLIENT" and s.scope_name in (OTELHTTP, NETHTTP)]
    assert [s.scope_name for s in clients] == [OTELHTTP], work.tree()
    (call,) = [c for c in received if c.headers["traceparent"].split("-")[1] == work.server.trace_id]
    trace_id, parent = call.headers["traceparent"].split("-")[1:3]
    assert (trace_id, parent) == (clients[0].trace_id, clients[0].span_id)


def test_database_and_redis_spans_are_the_wrappers_only(run):
    requests, _, _ = run
    work = requests["/work"]
    scopes = {s.scope_name for s in work.spans}
    assert not {"otelgo.dev/rules/databasesql", "otelgo.dev/rules/goredis"} & scopes, work.tree()
    assert any(s.scope_name == OTELSQL for s in work.spans), work.tree()
    # redisotel's: the SET, after the handshake of the connection it needed.
    redis_spans = [s.name for s in work.spans if s.scope_name.startswith(REDISOTEL)]
    assert redis_spans.count("set") == 1, work.tree()
    # One tree: every span of the request descends from its SERVER span.
    assert all(s.trace_id == work.server.trace_id for s in work.spans)


def test_a_route_without_a_wrapper_is_traced_by_otelgo(run):
    requests, _, _ = run
    plain = requests["/plain"].server
    assert plain.scope_name == NETHTTP and plain.name == "GET /plain"


@pytest.mark.parametrize("router", list(ROUTERS))
def test_one_server_span_for_a_router_with_its_own_middleware(run, router):
    _, spans, _ = run
    servers = [s for s in spans if serves(s, "/items/7") and s.scope_name in (ROUTERS[router], NETHTTP)]
    mine = [s for s in servers if s.scope_name == ROUTERS[router]]
    assert len(mine) == 1 and not [s for s in servers if s.scope_name == NETHTTP], format_spans(spans)
