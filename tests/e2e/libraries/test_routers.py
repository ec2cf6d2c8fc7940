"""gin, echo and gorilla/mux end to end: testdata/routers built with
`otel go build` at the newest and the oldest versions the rules claim, run
against a real OTLP receiver.

Each router serves through net/http, so each request must have exactly one
SERVER span, the one otelgo's net/http hooks make; the router hooks only
give it the matched route: http.route and the name "{method} {route}".
"""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from harness import TESTDATA, check_build, otel_build
from otlp import format_spans

ROUTERS = TESTDATA / "routers"
PROGRAMS = ("gin", "echo", "mux")
# go.mod holds the newest versions tested, oldest.mod the lowest (the ones
# rules/{gin,echo,mux}/go.mod require): the rules' Version ranges.
MODFILES = {"newest": None, "oldest": "oldest.mod"}

# Route templates as each router spells them.
ROUTES = {
    "gin": {"user": "/users/:id", "panic": "/users/:id/panic", "item": "/api/items/:id", "admin": "/admin/:section"},
    "echo": {"user": "/users/:id", "panic": "/users/:id/panic", "item": "/api/items/:id", "admin": "/admin/:section"},
    "mux": {
        "user": "/users/{id}",
        "panic": "/users/{id}/panic",
        "item": "/api/items/{id}",
        "admin": "/admin/{section}",
    },
}
# POST /users/42: gin answers 404 (HandleMethodNotAllowed is off by
# default), echo and mux 405; no route either way.
POST_STATUS = {"gin": 404, "echo": 405, "mux": 405}


@pytest.fixture(scope="module", params=list(MODFILES))
def routers(request, tmp_path_factory) -> dict[str, Path]:
    """The three programs built with otelgo against go.mod or oldest.mod."""
    out = tmp_path_factory.mktemp(f"routers-{request.param}")
    modfile = MODFILES[request.param]
    args = [f"-modfile={modfile}"] if modfile else []
    check_build(otel_build(ROUTERS, *args, "-o", f"{out}/", *(f"./cmd/{p}" for p in PROGRAMS)))
    return {p: out / p for p in PROGRAMS}


def otel_env(receiver) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }


def request(port: int, method: str, path: str) -> int | None:
    """Send one request on a fresh connection; its status, or None when the
    server closed the connection without answering (a handler panicked)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None
    finally:
        conn.close()


@pytest.mark.parametrize("router", PROGRAMS)
def test_one_server_span_per_request_named_by_route(routers, router, receiver, run_program):
    routes = ROUTES[router]
    # (method, path) -> (status, expected route or None)
    cases = {
        ("GET", "/users/42"): (200, routes["user"]),
        ("GET", "/api/items/7"): (200, routes["item"]),
        # A middleware refuses before the handler runs: routed all the same.
        ("GET", "/admin/keys"): (403, routes["admin"]),
        ("GET", "/nope"): (404, None),
        # Shares a prefix with a route, matches none.
        ("GET", "/users/42/orders"): (404, None),
        ("POST", "/users/42"): (POST_STATUS[router], None),
    }
    with run_program(routers[router], env=otel_env(receiver)) as prog:
        for (method, path), (status, _) in cases.items():
            assert request(prog.port, method, path) == status, (method, path)
        receiver.wait_for_spans(len(cases))
    # Stopped (SIGTERM flushes): every span the program made is in.
    spans = receiver.spans
    assert len(spans) == len(cases), format_spans(spans)
    for (method, path), (status, route) in cases.items():
        span = span_for(spans, method, path)
        assert (span.kind, span.service_name) == ("SERVER", router)
        assert span.scope_name == "otelgo.dev/rules/nethttp"
        assert span.parent_span_id == ""
        assert span.attributes["http.response.status_code"] == status
        if route is None:
            assert span.name == method, span.short()
            assert "http.route" not in span.attributes, span.attributes
        else:
            assert span.name == f"{method} {route}", span.short()
            assert span.attributes["http.route"] == route
        assert span.status_code == "UNSET", span.short()


def test_panicking_handler_keeps_its_route(routers, receiver, run_program):
    for router in PROGRAMS:
        receiver.clear()
        with run_program(routers[router], env=otel_env(receiver)) as prog:
            # No recovery middleware: net/http recovers and drops the connection.
            assert request(prog.port, "GET", "/users/42/panic") is None
            receiver.wait_for_spans(1)
        spans = receiver.spans
        assert len(spans) == 1, format_spans(spans)
        span = spans[0]
        route = ROUTES[router]["panic"]
        assert (span.kind, span.name) == ("SERVER", f"GET {route}"), span.short()
        assert span.attributes["http.route"] == route
        assert span.attributes["url.path"] == "/users/42/panic"
        assert span.attributes["error.type"] == "panic"
        assert span.status_code == "ERROR"


def span_for(spans, method: str, path: str):
    """The one span of the request `method path`."""
    found = [
        s for s in spans if s.attributes.get("url.path") == path and s.attributes.get("http.request.method") == method
    ]
    assert len(found) == 1, f"{len(found)} spans for {method} {path}:\n" + format_spans(spans)
    return found[0]
