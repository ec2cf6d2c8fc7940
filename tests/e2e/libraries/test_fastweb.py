"""fasthttp, fiber v2 and v3, hertz, connect and gqlgen end to end:
testdata/fastweb, two programs built with `otel go build` at both ends of
the rules' ranges.

front is a fasthttp server; its handlers call back with fasthttp's Client
(back's fiber v2 and v3 apps), hertz's client (back's hertz server), a
fasthttp HostClient (back's gqlgen endpoint, on net/http) and a connect
client (back's connect Books service, on net/http). Each request to front
is one trace across the two processes.

newest: go.mod (fasthttp 1.79.0, fiber 2.52.15 and 3.1.0, hertz 0.10.4,
connect 1.21.1, gqlgen 0.17.98). lowest: back from oldest.mod (fiber 2.40.0
and 3.0.0, hertz 0.10.4, connect 1.11.0, gqlgen 0.17.40; fasthttp is raised
to 1.69.0 by fiber v3) and front from oldest-front.mod (fasthttp 1.40.0,
hertz 0.10.4, connect 1.11.0).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import pytest
from harness import TESTDATA, check_build, free_port, otel_build, run_program
from otlp import OTLPReceiver, Span, by_trace, format_points, format_spans, histogram, metric_points, series
from scenario import get, otel_env

APP = TESTDATA / "fastweb"
FASTHTTP = "otelgo.dev/rules/fasthttp"
NETHTTP = "otelgo.dev/rules/nethttp"
CONNECT = "otelgo.dev/rules/connect"
HERTZ = "otelgo.dev/rules/hertz"
GQLGEN = "otelgo.dev/rules/gqlgen"
BUILDS = {
    "newest": [([], ["./cmd/front", "./cmd/back"])],
    "lowest": [(["-modfile=oldest.mod"], ["./cmd/back"]), (["-modfile=oldest-front.mod"], ["./cmd/front"])],
}


def gql(query: str) -> str:
    return "/graphql?q=" + urllib.parse.quote(query)


FIND = gql('query Find { book(id: "1") { title } }')
ADD = gql('mutation { addBook(title: "Middlemarch") { id } }')
LOCKED = gql("{ shelf { title } }")
# route on front, its status, the number of spans its trace has.
ROUTES = [
    ("/hello?name=ann", 200, 1),
    ("/boom", 500, 1),
    ("/v2/api/users/42", 200, 3),
    ("/v2/fail", 500, 3),
    ("/v2/nope", 404, 3),
    ("/v3/items/abc", 200, 3),
    ("/v3/fail", 500, 3),
    ("/hz/orders/7", 200, 3),
    ("/hz/crash", 500, 3),
    (FIND, 200, 4),
    (ADD, 200, 4),
    (LOCKED, 200, 4),
    ("/rpc/get?id=1", 200, 4),
    ("/rpc/get?id=9", 404, 4),
    ("/rpc/list", 200, 4),
    ("/down", 502, 2),
]


@dataclass
class Trace:
    route: str
    spans: list[Span]

    def one(self, **want) -> Span:
        found = [s for s in self.spans if all(getattr(s, k) == v for k, v in want.items())]
        assert len(found) == 1, f"{self.route}: expected one span {want}:\n{format_spans(self.spans)}"
        return found[0]

    @property
    def front(self) -> Span:
        return self.one(service_name="front", kind="SERVER")

    def child(self, parent: Span, **want) -> Span:
        span = self.one(**want)
        assert span.parent_span_id == parent.span_id, f"{span.short()} is not a child of {parent.short()}"
        assert span.trace_id == parent.trace_id
        return span


@dataclass
class Run:
    traces: dict[str, Trace]
    points: list
    front_port: int
    back_ports: dict[str, int]


@pytest.fixture(scope="module", params=list(BUILDS))
def run(request, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp(f"fastweb-{request.param}")
    for flags, packages in BUILDS[request.param]:
        check_build(otel_build(APP, *flags, "-o", f"{out}/", *packages))
    ports = {"v3": free_port(), "http": free_port(), "hertz": free_port()}
    with OTLPReceiver() as rx:
        back_env = otel_env(
            rx,
            "back",
            V3_ADDR=f"127.0.0.1:{ports['v3']}",
            HTTP_ADDR=f"127.0.0.1:{ports['http']}",
            HERTZ_ADDR=f"127.0.0.1:{ports['hertz']}",
        )
        with run_program(out / "back", env=back_env, output_dir=out) as back:
            ports["v2"] = back.port
            front_env = otel_env(
                rx,
                "front",
                BACK_V2=back.addr,
                BACK_V3=f"127.0.0.1:{ports['v3']}",
                BACK_HTTP=f"127.0.0.1:{ports['http']}",
                BACK_HERTZ=f"127.0.0.1:{ports['hertz']}",
            )
            with run_program(out / "front", env=front_env, output_dir=out) as front:
                for route, status, count in ROUTES:
                    assert get(front.url + route) == status, f"{route}: {front.stderr}\n{back.stderr}"
                    path = route.split("?")[0]
                    # The front's SERVER span of this request, then all of its trace.
                    server = rx.wait_for_spans(
                        lambda spans, p=path, r=route: any(
                            s.service_name == "front" and s.kind == "SERVER" and _is(s, r) for s in spans
                        )
                    )
                    trace_id = next(s.trace_id for s in server if s.service_name == "front" and _is(s, route))
                    rx.wait_for_spans(lambda spans, t=trace_id, n=count: sum(s.trace_id == t for s in spans) >= n)
                front_port = front.port
        spans = rx.spans
        traces = {}
        for route, _, _ in ROUTES:
            root = next(s for s in spans if s.service_name == "front" and s.kind == "SERVER" and _is(s, route))
            traces[route] = Trace(route, by_trace(spans)[root.trace_id])
        return Run(traces, metric_points(rx), front_port, ports)


def _is(span: Span, route: str) -> bool:
    """span is front's SERVER span of the request to route."""
    path, _, query = route.partition("?")
    return span.attributes.get("url.path") == path and span.attributes.get("url.query", "") == query


def test_every_trace_is_whole(run):
    """Each request is one trace with exactly its spans: nothing missing,
    no second SERVER span for one request anywhere."""
    for route, _, count in ROUTES:
        t = run.traces[route]
        assert len(t.spans) == count, f"{route}:\n{format_spans(t.spans)}"
        assert t.front.parent_span_id == ""


def test_fasthttp_server_span(run):
    t = run.traces["/hello?name=ann"]
    span = t.front
    assert (span.name, span.scope_name, span.status_code) == ("GET", FASTHTTP, "UNSET")
    attrs = span.attributes
    want = {
        "http.request.method": "GET",
        "url.scheme": "http",
        "url.path": "/hello",
        "url.query": "name=ann",
        "server.address": "127.0.0.1",
        "server.port": run.front_port,
        "client.address": "127.0.0.1",
        "network.peer.address": "127.0.0.1",
        "network.protocol.version": "1.1",
        "http.response.status_code": 200,
    }
    assert {k: attrs.get(k) for k in want} == want, attrs
    assert attrs["user_agent.original"].startswith("Python-urllib/")
    assert "http.route" not in attrs and "error.type" not in attrs
    assert attrs["network.peer.port"] not in (run.front_port, 0)


def test_fasthttp_server_error(run):
    span = run.traces["/boom"].front
    assert span.status_code == "ERROR"
    assert span.attributes["http.response.status_code"] == 500
    assert span.attributes["error.type"] == "500"


def test_fasthttp_client_to_fiber_v2_route(run):
    t = run.traces["/v2/api/users/42"]
    client = t.child(t.front, service_name="front", kind="CLIENT")
    assert (client.name, client.scope_name, client.status_code) == ("GET", FASTHTTP, "UNSET")
    port = run.back_ports["v2"]
    want = {
        "http.request.method": "GET",
        "url.full": f"http://127.0.0.1:{port}/api/users/42",
        "server.address": "127.0.0.1",
        "server.port": port,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert {k: client.attributes.get(k) for k in want} == want, client.attributes
    # The trace context crossed the process boundary in the request headers.
    server = t.child(client, service_name="back", kind="SERVER")
    assert (server.name, server.scope_name) == ("GET /api/users/:id", FASTHTTP)
    assert server.attributes["http.route"] == "/api/users/:id"
    assert server.attributes["url.path"] == "/api/users/42"
    assert server.attributes["http.response.status_code"] == 200
    assert t.front.start_ns <= client.start_ns <= client.end_ns <= t.front.end_ns


def test_fiber_v2_handler_error(run):
    t = run.traces["/v2/fail"]
    client = t.child(t.front, service_name="front", kind="CLIENT")
    server = t.child(client, service_name="back", kind="SERVER")
    assert server.name == "GET /fail" and server.attributes["http.route"] == "/fail"
    assert (server.status_code, server.attributes["error.type"]) == ("ERROR", "500")
    # A 5xx answer is a failed call for the client too.
    assert (client.status_code, client.attributes["error.type"]) == ("ERROR", "500")
    assert client.attributes["http.response.status_code"] == 500


def test_fiber_unmatched_request_has_no_route(run):
    """Only the app.Use middleware matched: no route, a 404, and not an error
    of the server."""
    t = run.traces["/v2/nope"]
    server = t.one(service_name="back", kind="SERVER")
    assert server.name == "GET" and "http.route" not in server.attributes
    assert server.attributes["http.response.status_code"] == 404 and server.status_code == "UNSET"
    client = t.one(service_name="front", kind="CLIENT")
    assert (client.status_code, client.attributes["error.type"]) == ("ERROR", "404")


def test_fiber_v3_routes(run):
    t = run.traces["/v3/items/abc"]
    client = t.child(t.front, service_name="front", kind="CLIENT")
    assert client.attributes["server.port"] == run.back_ports["v3"]
    server = t.child(client, service_name="back", kind="SERVER")
    assert (server.name, server.attributes["http.route"]) == ("GET /items/:sku", "/items/:sku")
    assert server.scope_name == FASTHTTP and server.status_code == "UNSET"
    t = run.traces["/v3/fail"]
    server = t.one(service_name="back", kind="SERVER")
    assert (server.name, server.status_code, server.attributes["error.type"]) == ("GET /fail", "ERROR", "500")


def test_hertz_client_and_server(run):
    t = run.traces["/hz/orders/7"]
    client = t.child(t.front, service_name="front", kind="CLIENT")
    assert (client.name, client.scope_name, client.status_code) == ("GET", HERTZ, "UNSET")
    port = run.back_ports["hertz"]
    want = {
        "http.request.method": "GET",
        "url.full": f"http://127.0.0.1:{port}/orders/7",
        "server.address": "127.0.0.1",
        "server.port": port,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert {k: client.attributes.get(k) for k in want} == want, client.attributes
    server = t.child(client, service_name="back", kind="SERVER")
    assert (server.name, server.scope_name, server.status_code) == ("GET /orders/:id", HERTZ, "UNSET")
    want = {
        "http.request.method": "GET",
        "http.route": "/orders/:id",
        "url.path": "/orders/7",
        "url.scheme": "http",
        "server.address": "127.0.0.1",
        "server.port": port,
        "client.address": "127.0.0.1",
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert {k: server.attributes.get(k) for k in want} == want, server.attributes


def test_hertz_handler_panic(run):
    """Default's recovery middleware turns the panic into a 500."""
    t = run.traces["/hz/crash"]
    client = t.child(t.front, service_name="front", kind="CLIENT")
    server = t.child(client, service_name="back", kind="SERVER")
    assert (server.name, server.status_code, server.attributes["error.type"]) == ("GET /crash", "ERROR", "500")
    assert (client.status_code, client.attributes["http.response.status_code"]) == ("ERROR", 500)


def gqlgen_chain(t: Trace) -> tuple[Span, Span, Span]:
    """front CLIENT -> back net/http SERVER -> gqlgen operation span."""
    client = t.child(t.front, service_name="front", kind="CLIENT")
    assert (client.name, client.scope_name, client.attributes["http.request.method"]) == ("POST", FASTHTTP, "POST")
    http_server = t.child(client, service_name="back", kind="SERVER", scope_name=NETHTTP)
    assert http_server.name == "POST /query" and http_server.attributes["http.route"] == "/query"
    op = t.child(http_server, scope_name=GQLGEN)
    assert op.kind == "SERVER"
    return client, http_server, op


def test_gqlgen_query_span(run):
    _, _, op = gqlgen_chain(run.traces[FIND])
    assert op.name == "query"
    assert op.attributes == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "Find",
        # Sanitized: the literal "1" the client wrote is not recorded.
        "graphql.document": "query Find { book(id: ?) { title } }",
    }
    assert op.status_code == "UNSET"


def test_gqlgen_mutation_without_name(run):
    _, _, op = gqlgen_chain(run.traces[ADD])
    assert op.name == "mutation"
    assert op.attributes == {
        "graphql.operation.type": "mutation",
        "graphql.document": "mutation { addBook(title: ?) { id } }",
    }


def test_gqlgen_errors_mark_the_operation(run):
    _, http_server, op = gqlgen_chain(run.traces[LOCKED])
    assert (op.status_code, op.status_message) == ("ERROR", "the shelf is locked")
    assert op.attributes["error.type"] == "SHELF_LOCKED"
    # GraphQL answers errors with 200: the HTTP span is no failure.
    assert http_server.status_code == "UNSET" and http_server.attributes["http.response.status_code"] == 200


def connect_chain(t: Trace) -> tuple[Span, Span, Span]:
    """connect CLIENT -> net/http CLIENT -> back's SERVER span (net/http's, made the RPC's)."""
    rpc_client = t.child(t.front, service_name="front", kind="CLIENT", scope_name=CONNECT)
    http_client = t.child(rpc_client, service_name="front", kind="CLIENT", scope_name=NETHTTP)
    assert http_client.name == "POST"
    server = t.child(http_client, service_name="back", kind="SERVER")
    assert server.scope_name == NETHTTP
    return rpc_client, http_client, server


def rpc_attrs(span: Span) -> dict:
    keys = ("rpc.system.name", "rpc.method", "rpc.response.status_code")
    return {k: span.attributes.get(k) for k in keys}


def test_connect_unary_call(run):
    rpc_client, _, server = connect_chain(run.traces["/rpc/get?id=1"])
    want = {"rpc.system.name": "connectrpc", "rpc.method": "shop.v1.Books/Get", "rpc.response.status_code": "OK"}
    for span in (rpc_client, server):
        assert span.name == "shop.v1.Books/Get"
        assert rpc_attrs(span) == want, span.attributes
        assert span.status_code == "UNSET"
    assert rpc_client.attributes["server.address"] == "127.0.0.1"
    assert rpc_client.attributes["server.port"] == run.back_ports["http"]
    # One SERVER span: net/http's, with the procedure as its route.
    assert server.attributes["http.route"] == "/shop.v1.Books/Get"
    assert server.attributes["http.response.status_code"] == 200


def test_connect_error_codes(run):
    rpc_client, http_client, server = connect_chain(run.traces["/rpc/get?id=9"])
    for span in (rpc_client, server):
        assert span.attributes["rpc.response.status_code"] == "NOT_FOUND"
        assert span.attributes["error.type"] == "NOT_FOUND"
    assert (rpc_client.status_code, rpc_client.status_message) == ("ERROR", "no book 9")
    # NOT_FOUND is the caller's mistake, not the server's failure.
    assert server.status_code == "UNSET"
    assert server.attributes["http.response.status_code"] == 404


def test_connect_server_stream(run):
    """A stream called with context.Background() inside the handler: the
    goroutine's current span (front's SERVER span) is its parent."""
    rpc_client, _, server = connect_chain(run.traces["/rpc/list"])
    want = {"rpc.system.name": "connectrpc", "rpc.method": "shop.v1.Books/List", "rpc.response.status_code": "OK"}
    assert rpc_attrs(rpc_client) == want and rpc_attrs(server) == want
    assert rpc_client.end_ns >= server.end_ns - 5_000_000_000  # ends with CloseResponse, not at the headers


def test_fasthttp_client_error(run):
    t = run.traces["/down"]
    client = t.child(t.front, service_name="front", kind="CLIENT")
    assert client.status_code == "ERROR" and "http.response.status_code" not in client.attributes
    assert client.attributes["error.type"], client.attributes
    assert t.front.attributes["http.response.status_code"] == 502


def test_http_duration_metrics(run):
    points = run.points
    name = "http.server.request.duration"
    front = {
        "http.request.method": "GET",
        "url.scheme": "http",
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    # /hello, /v2/api/users/42, /v3/items/abc, /hz/orders/7, three /graphql, /rpc/get?id=1, /rpc/list.
    assert histogram(points, name, "front", front, FASTHTTP).count == 9
    routed = {**front, "http.route": "/api/users/:id"}
    assert histogram(points, name, "back", routed, FASTHTTP).count == 1
    failed = {**front, "http.response.status_code": 500, "http.route": "/fail", "error.type": "500"}
    assert histogram(points, name, "back", failed, FASTHTTP).count == 2  # fiber v2 and v3
    client = {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": run.back_ports["v2"],
        "url.scheme": "http",
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert histogram(points, "http.client.request.duration", "front", client, FASTHTTP).count == 1
    ours = [p for p in series(points, "http.client.request.duration", "front") if p.scope_name == FASTHTTP]
    # 5 fiber calls, 3 GraphQL posts, 1 refused connection.
    assert sum(p.count for p in ours) == 9, format_points(ours)
    hertz = {**routed, "http.route": "/orders/:id"}
    assert histogram(points, name, "back", hertz, HERTZ).count == 1
    hertz_client = {**client, "server.port": run.back_ports["hertz"]}
    assert histogram(points, "http.client.request.duration", "front", hertz_client, HERTZ).count == 1


def test_rpc_duration_metrics(run):
    points = run.points
    base = {"rpc.system.name": "connectrpc", "rpc.method": "shop.v1.Books/Get"}
    server = {"server.address": "127.0.0.1", "server.port": run.back_ports["http"]}
    ok = {**base, **server, "rpc.response.status_code": "OK"}
    assert histogram(points, "rpc.client.call.duration", "front", ok, CONNECT).count == 1
    missing = {**base, **server, "rpc.response.status_code": "NOT_FOUND", "error.type": "NOT_FOUND"}
    assert histogram(points, "rpc.client.call.duration", "front", missing, CONNECT).count == 1
    assert histogram(points, "rpc.server.call.duration", "back", {**base, "rpc.response.status_code": "OK"}, CONNECT)
    stream = {"rpc.system.name": "connectrpc", "rpc.method": "shop.v1.Books/List", "rpc.response.status_code": "OK"}
    assert histogram(points, "rpc.server.call.duration", "back", stream, CONNECT).count == 1
    # The procedure is the route of net/http's duration too.
    route = [p for p in series(points, "http.server.request.duration", "back") if p.scope_name == NETHTTP]
    assert {p.attributes.get("http.route") for p in route} >= {"/shop.v1.Books/Get", "/shop.v1.Books/List", "/query"}
