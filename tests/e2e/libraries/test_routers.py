"""The routers on net/http end to end: gin, echo (v3, v4, v5), gorilla/mux,
chi (v5 and the legacy github.com/go-chi/chi), httprouter and go-restful v3,
in testdata/routers, one program that serves the router $ROUTER names.

It is built with `otel go build` at both ends of the rules' ranges: go.mod
holds the newest versions, oldest.mod the lowest. mux and the legacy chi
path have two rules each, whose ranges split (mux at v1.7.4; chi between
v1.5.x and v4.x+incompatible): split-below.mod and split-above.mod hold the
versions either side of the split (mux v1.7.3 and v1.7.4, chi v1.5.5 and
v4.0.0+incompatible), for those two routers.

For each build, one process per router runs at once (OTEL_SERVICE_NAME is
the router), is sent the same requests and stopped (SIGTERM flushes its
spans and metrics). Each router serves through net/http, so each request
must have exactly one span, the SERVER span of otelgo's net/http hooks; the
router hooks give it the matched route: http.route and the name
"{method} {route}", also in http.server.request.duration.
"""

from __future__ import annotations

import contextlib
import http.client
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import TESTDATA, check_build, otel_build, run_program
from otlp import OTLPReceiver, Span, format_points, format_spans, histogram, metric_points, series

APP = TESTDATA / "routers"
NETHTTP = "otelgo.dev/rules/nethttp"
ROUTERS = ("gin", "echov3", "echov4", "echov5", "mux", "chi", "chiv4", "httprouter", "restful")
# Build variant -> go build flags.
VARIANTS = {
    "newest": [],
    "lowest": ["-modfile=oldest.mod"],
    "split-below": ["-modfile=split-below.mod"],
    "split-above": ["-modfile=split-above.mod"],
}
# The module and version of each router that each variant tests (its build
# summary must name them): the ends of the rules' Version ranges.
MODULES = {
    "gin": "github.com/gin-gonic/gin",
    "echov3": "github.com/labstack/echo",
    "echov4": "github.com/labstack/echo/v4",
    "echov5": "github.com/labstack/echo/v5",
    "mux": "github.com/gorilla/mux",
    "chi": "github.com/go-chi/chi/v5",
    "chiv4": "github.com/go-chi/chi",
    "httprouter": "github.com/julienschmidt/httprouter",
    "restful": "github.com/emicklei/go-restful/v3",
}
TESTED = {
    "newest": {
        "gin": "v1.12.0",
        "echov3": "v3.3.10+incompatible",
        "echov4": "v4.16.6",
        "echov5": "v5.4.6",
        "mux": "v1.8.1",
        "chi": "v5.5.0",
        "chiv4": "v4.1.2+incompatible",
        "httprouter": "v1.3.0",
        "restful": "v3.14.0",
    },
    "lowest": {
        "gin": "v1.7.0",
        "echov3": "v3.3.0+incompatible",
        "echov4": "v4.0.0",
        "echov5": "v5.0.0",
        "mux": "v1.6.2",
        "chi": "v5.0.0",
        "chiv4": "v1.5.0",
        "httprouter": "v1.3.0",
        "restful": "v3.0.0",
    },
    "split-below": {"mux": "v1.7.3", "chiv4": "v1.5.5"},
    "split-above": {"mux": "v1.7.4", "chiv4": "v4.0.0+incompatible"},
}
PAIRS = [pytest.param(v, r, id=f"{v}-{r}") for v in VARIANTS for r in TESTED[v]]

# Route templates as each router spells them.
COLON = {"user": "/users/:id", "fail": "/users/:id/fail", "panic": "/users/:id/panic", "item": "/api/items/:id"}
COLON["admin"] = "/admin/:section"
CURLY = {k: v.replace(":id", "{id}").replace(":section", "{section}") for k, v in COLON.items()}
ROUTES = {r: CURLY if r in ("mux", "chi", "chiv4", "restful") else COLON for r in ROUTERS}

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    route: str | None  # key in ROUTES, None when no route matches
    headers: tuple[tuple[str, str], ...] = ()


# Sent to every router, in this order. /users/7 carries a W3C traceparent.
CASES = (
    Case("GET", "/users/42", "user"),
    Case("GET", "/users/7", "user", (("traceparent", TRACEPARENT),)),
    Case("GET", "/api/items/7", "item"),
    Case("GET", "/admin/keys", "admin"),
    Case("GET", "/users/42/fail", "fail"),
    Case("GET", "/users/42/panic", "panic"),
    Case("GET", "/nope", None),
    Case("GET", "/users/42/orders", None),  # shares a prefix with routes, matches none
    Case("GET", "/api/nope", None),  # in the group (subrouter, mounted router), matches none of its routes
    Case("POST", "/users/42", None),  # a route, for GET only
)
# The status each request gets; None: the connection closed without an
# answer (the handler panicked, net/http recovered).
STATUS = {
    "/users/42": 200,
    "/users/7": 200,
    "/api/items/7": 200,
    "/admin/keys": 403,
    "/users/42/fail": 500,
    "/users/42/panic": None,
    "/nope": 404,
    "/users/42/orders": 404,
    "/api/nope": 404,
}
# POST /users/42: gin answers 404 (HandleMethodNotAllowed is off by
# default), the others 405.
POST_STATUS = {r: 404 if r == "gin" else 405 for r in ROUTERS}


def status_of(router: str, case: Case) -> int | None:
    return POST_STATUS[router] if case.method == "POST" else STATUS[case.path]


def catch_all(variant: str, router: str, case: Case) -> str | None:
    """The route echo gives a request no route of the program matched.

    In echo v3 and early v4 (v4.0.0), every Group registers routes of its
    own for the group's prefix and prefix + "/*", whose handler answers 404
    (later v4 releases only for a group with middlewares, v4.16 as
    RouteNotFound routes, which are no routes): a request under /api that
    matches none of the group's routes matches "/api/*", as echo says
    (c.Path()). The routes are there: otelgo takes echo's word."""
    if case.path == "/api/nope" and (router == "echov3" or (router, variant) == ("echov4", "lowest")):
        return "/api/*"
    return None


@dataclass
class Run:
    variant: str
    routers: tuple[str, ...]
    statuses: dict[tuple[str, Case], int | None]
    spans: list[Span]
    points: list
    stderr: dict[str, str]

    def spans_of(self, router: str) -> list[Span]:
        return [s for s in self.spans if s.service_name == router]

    def span(self, router: str, case: Case) -> Span:
        """The one span of request `case` to `router`."""
        found = [
            s
            for s in self.spans_of(router)
            if s.attributes.get("url.path") == case.path and s.attributes.get("http.request.method") == case.method
        ]
        assert len(found) == 1, f"{len(found)} spans for {case.method} {case.path}:\n" + format_spans(
            self.spans_of(router)
        )
        return found[0]


def otel_env(rx: OTLPReceiver, router: str, **extra: str) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": rx.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "600000",  # metrics flushed at exit only
        "OTEL_SERVICE_NAME": router,
        "ROUTER": router,
        **extra,
    }


def send(port: int, case: Case) -> int | None:
    """Send one request on a fresh connection; its status, or None when the
    server closed the connection without answering (a handler panicked)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(case.method, case.path, headers=dict(case.headers))
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None
    finally:
        conn.close()


def serve(binary: Path, routers, out: Path, **extra: str) -> tuple[OTLPReceiver, dict, dict]:
    """Run one process per router, send each every case, stop them all:
    what the receiver got, the statuses, and each program's stderr."""
    statuses: dict[tuple[str, Case], int | None] = {}
    stderr: dict[str, str] = {}
    rx = OTLPReceiver()
    rx.start()
    try:
        with contextlib.ExitStack() as stack:
            progs = {
                r: stack.enter_context(run_program(binary, env=otel_env(rx, r, **extra), output_dir=out))
                for r in routers
            }
            for r, prog in progs.items():
                for case in CASES:
                    statuses[r, case] = send(prog.port, case)
        # Stopped: each program flushed its spans and metrics on SIGTERM.
        stderr = {r: prog.stderr for r, prog in progs.items()}
    except BaseException:
        rx.close()
        raise
    return rx, statuses, stderr


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The program built for a variant, once per module."""
    built: dict[str, Path] = {}

    def get(variant: str) -> Path:
        if variant not in built:
            out = tmp_path_factory.mktemp(f"routers-{variant}")
            result = check_build(otel_build(APP, *VARIANTS[variant], "-o", str(out / "routers"), "."))
            for router, version in TESTED[variant].items():
                assert f"\n  {MODULES[router]} {version}: " in result.stderr, result.stderr
            built[variant] = out / "routers"
        return built[variant]

    return get


@pytest.fixture(scope="module")
def runs(build):
    """What each variant's routers did, once per module."""
    done: dict[str, Run] = {}

    def get(variant: str) -> Run:
        if variant not in done:
            binary = build(variant)
            routers = tuple(TESTED[variant])
            rx, statuses, stderr = serve(binary, routers, binary.parent)
            try:
                done[variant] = Run(variant, routers, statuses, rx.spans, metric_points(rx), stderr)
            finally:
                rx.close()
        return done[variant]

    return get


@pytest.mark.parametrize("variant, router", PAIRS)
def test_statuses(runs, variant, router):
    run = runs(variant)
    got = {
        case.path if case.method == "GET" else f"{case.method} {case.path}": run.statuses[router, case]
        for case in CASES
    }
    want = {
        case.path if case.method == "GET" else f"{case.method} {case.path}": status_of(router, case) for case in CASES
    }
    assert got == want, run.stderr[router]


@pytest.mark.parametrize("variant, router", PAIRS)
def test_one_server_span_per_request(runs, variant, router):
    run = runs(variant)
    spans = run.spans_of(router)
    assert len(spans) == len(CASES), format_spans(spans)
    for case in CASES:
        span = run.span(router, case)
        assert span.kind == "SERVER" and span.scope_name == NETHTTP, span.short()
        assert span.attributes.get("http.response.status_code") == status_of(router, case), span.attributes


@pytest.mark.parametrize("variant, router", PAIRS)
def test_routed_requests_are_named_by_their_route(runs, variant, router):
    run = runs(variant)
    for case in CASES:
        if case.route is None:
            continue
        span = run.span(router, case)
        route = ROUTES[router][case.route]
        assert span.name == f"{case.method} {route}", span.short()
        assert span.attributes["http.route"] == route, span.attributes
        if case.route in ("user", "item", "admin"):  # 200 and 403: no error
            assert span.status_code == "UNSET" and "error.type" not in span.attributes, span.short()


@pytest.mark.parametrize("variant, router", PAIRS)
def test_unrouted_requests_have_no_route(runs, variant, router):
    """Not even a pattern the request carries: go-restful's ServeMux has the
    web services' root paths ("/users/"), echo v5.4 writes the path it
    nearly matched in Request.Pattern."""
    run = runs(variant)
    for case in CASES:
        if case.route is not None:
            continue
        span = run.span(router, case)
        if route := catch_all(variant, router, case):
            assert (span.name, span.attributes["http.route"]) == (f"GET {route}", route), span.short()
            continue
        assert span.name == case.method, span.short()
        assert "http.route" not in span.attributes, span.attributes
        # A 4xx is the client's error, not the server's.
        assert span.status_code == "UNSET" and "error.type" not in span.attributes, span.short()


@pytest.mark.parametrize("variant, router", PAIRS)
def test_handler_error_and_panic(runs, variant, router):
    run = runs(variant)
    fail = run.span(router, Case("GET", "/users/42/fail", "fail"))
    assert fail.attributes["http.response.status_code"] == 500
    assert fail.attributes["error.type"] == "500" and fail.status_code == "ERROR", fail.short()
    panicked = run.span(router, Case("GET", "/users/42/panic", "panic"))
    assert panicked.name == f"GET {ROUTES[router]['panic']}", panicked.short()
    assert panicked.attributes["error.type"] == "panic" and panicked.status_code == "ERROR", panicked.short()
    assert "http.response.status_code" not in panicked.attributes


@pytest.mark.parametrize("variant, router", PAIRS)
def test_traceparent_continues_the_callers_trace(runs, variant, router):
    run = runs(variant)
    span = run.span(router, CASES[1])
    assert (span.trace_id, span.parent_span_id) == (TRACE_ID, PARENT_ID), span.short()
    others = [s for s in run.spans_of(router) if s is not span]
    # Without one, each request starts a trace of its own.
    assert all(s.parent_span_id == "" and s.trace_id != TRACE_ID for s in others), format_spans(others)
    assert len({s.trace_id for s in others}) == len(others)


@pytest.mark.parametrize("variant, router", PAIRS)
def test_request_duration_has_the_route(runs, variant, router):
    run = runs(variant)
    name = "http.server.request.duration"
    base = {"http.request.method": "GET", "url.scheme": "http", "network.protocol.version": "1.1"}
    routes = ROUTES[router]

    def count(status, route=None, **extra):
        attrs = {**base, "http.response.status_code": status, **extra}
        if route is not None:
            attrs["http.route"] = route
        return histogram(run.points, name, router, attrs, NETHTTP).count

    assert count(200, routes["user"]) == 2
    assert count(200, routes["item"]) == 1
    assert count(403, routes["admin"]) == 1
    assert count(500, routes["fail"], **{"error.type": "500"}) == 1
    panicked = {**base, "http.route": routes["panic"], "error.type": "panic"}
    assert histogram(run.points, name, router, panicked, NETHTTP).count == 1
    if catch_all(variant, router, Case("GET", "/api/nope", None)):
        assert count(404) == 2 and count(404, "/api/*") == 1
    else:
        assert count(404) == 3  # no route: no http.route
    assert sum(p.count for p in series(run.points, name, router)) == len(CASES), format_points(run.points)


def test_route_reaches_the_metric_when_spans_do_not_record(build):
    """With the always_off sampler no span records, yet the route each router
    matched still reaches http.server.request.duration, which does not read
    it from the span (newest versions)."""
    binary = build("newest")
    rx, statuses, stderr = serve(binary, ROUTERS, binary.parent, OTEL_TRACES_SAMPLER="always_off")
    try:
        assert rx.spans == []
        points = metric_points(rx)
    finally:
        rx.close()
    base = {"http.request.method": "GET", "url.scheme": "http", "network.protocol.version": "1.1"}
    for router in ROUTERS:
        assert statuses[router, CASES[0]] == 200, stderr[router]
        user = {**base, "http.route": ROUTES[router]["user"], "http.response.status_code": 200}
        assert histogram(points, "http.server.request.duration", router, user, NETHTTP).count == 2
