"""CloudWeGo kitex end to end: testdata/kitexapp built with `otel go build` at
both ends of the rules' range (kitex v0.16.3 in go.mod, v0.11.0 in
oldest.mod, with the sonic that builds with Go 1.26), run as two processes:
a kitex server of the Echo service (JSON generic call over a Thrift IDL
parsed at run time) and an HTTP frontend whose handlers call it with the
request's context over TTHeader. Each request is one trace of HTTP SERVER ->
kitex CLIENT -> kitex SERVER across the two processes (semconv v1.39:
rpc.system.name "kitex", rpc.method "Echo/Say"...), errors carry the
Thrift exception or business status code, and both processes export
rpc.client.call.duration and rpc.server.call.duration."""

from __future__ import annotations

import pytest
from harness import TESTDATA, run_program
from otlp import OTLPReceiver, Span, format_points, format_spans, histogram, metric_points
from scenario import VARIANTS, build, get, otel_env

APP = TESTDATA / "kitexapp"
SCOPE = "otelgo.dev/rules/kitex"
ROUTES = {"/say?m=hi": 200, "/fail": 502, "/find": 502, "/unknown": 502}


def http_server(spans: list[Span], path: str) -> Span | None:
    found = [s for s in spans if s.kind == "SERVER" and s.attributes.get("url.path") == path]
    return found[-1] if found else None


def complete(spans: list[Span], variant: str) -> bool:
    """Every request's trace is in: HTTP SERVER, kitex CLIENT and kitex
    SERVER (no SERVER for the unknown method, nor a CLIENT below v0.16)."""
    want = {"/say": 3, "/fail": 3, "/find": 3, "/unknown": 2 if variant == "newest" else 1}
    for path, n in want.items():
        root = http_server(spans, path)
        if root is None or sum(s.trace_id == root.trace_id for s in spans) < n:
            return False
    return True


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory):
    """Both processes run once per end of the range; the spans of each
    request's trace by path, the metric points, and the server's port."""
    out = tmp_path_factory.mktemp(f"kitex-{request.param}")
    binary = build(APP, request.param, out)
    with OTLPReceiver() as rx:
        with run_program(binary, ["server"], env=otel_env(rx, "echo"), output_dir=out) as server:
            env = otel_env(rx, "frontend", KITEX_ADDR=server.addr)
            with run_program(binary, ["frontend"], env=env, output_dir=out) as frontend:
                for path, status in ROUTES.items():
                    assert get(frontend.url + path) == status, f"{path}: {frontend.stderr}"
                rx.wait_for_spans(lambda spans: complete(spans, request.param))
        spans = rx.spans
        traces = {}
        for path in ROUTES:
            root = http_server(spans, path.split("?")[0])
            traces[path] = [s for s in spans if s.trace_id == root.trace_id]
        return request.param, traces, metric_points(rx), server.port


def chain(trace: list[Span]) -> tuple[Span, Span, Span]:
    """The HTTP SERVER, kitex CLIENT and kitex SERVER spans of one trace,
    each the parent of the next."""
    assert len(trace) == 3, format_spans(trace)
    http = [s for s in trace if s.kind == "SERVER" and s.service_name == "frontend"]
    client = [s for s in trace if s.kind == "CLIENT" and s.service_name == "frontend"]
    server = [s for s in trace if s.kind == "SERVER" and s.service_name == "echo"]
    assert len(http) == len(client) == len(server) == 1, format_spans(trace)
    assert http[0].parent_span_id == "", format_spans(trace)
    assert client[0].parent_span_id == http[0].span_id, format_spans(trace)
    assert server[0].parent_span_id == client[0].span_id, format_spans(trace)
    return http[0], client[0], server[0]


def test_one_trace_across_two_processes(run):
    _, traces, _, port = run
    http, client, server = chain(traces["/say?m=hi"])
    assert http.name == "GET /say"
    for span in (client, server):
        assert span.name == "Echo/Say"
        assert span.scope_name == SCOPE
        assert span.status_code == "UNSET"
        assert span.attributes["rpc.system.name"] == "kitex"
        assert span.attributes["rpc.method"] == "Echo/Say"
        assert span.attributes["server.address"] == "127.0.0.1"
        assert span.attributes["server.port"] == port
        assert span.attributes["network.peer.address"] == "127.0.0.1"
        assert span.attributes["network.transport"] == "tcp"
        assert "rpc.response.status_code" not in span.attributes
        assert "error.type" not in span.attributes
    # The other end of each connection: the server for the client, the
    # frontend's ephemeral port for the server.
    assert client.attributes["network.peer.port"] == port
    assert server.attributes["network.peer.port"] != port


@pytest.mark.parametrize(
    "path,method,code,message",
    [
        ("/fail", "Echo/Fail", "INTERNAL_ERROR", "the handler failed"),
        ("/find", "Echo/Find", "404", "nothing found"),
    ],
)
def test_errors_carry_the_status(run, path, method, code, message):
    """An error the handler returns travels as a Thrift application exception
    (INTERNAL_ERROR), a business status error with its code (over TTHeader)."""
    _, traces, _, _ = run
    _, client, server = chain(traces[path])
    for span in (client, server):
        assert span.name == method
        assert span.attributes["rpc.response.status_code"] == code, span.attributes
        assert span.attributes["error.type"] == code, span.attributes
        assert span.status_code == "ERROR"
        assert message in span.status_message


def test_unknown_method(run):
    """A method the client's IDL lacks: kitex v0.16 starts the call and fails
    it before sending (rpc.method _OTHER, the span named after the system);
    older releases refuse it before the call starts: no RPC span."""
    variant, traces, _, _ = run
    trace = traces["/unknown"]
    rpc = [s for s in trace if s.scope_name == SCOPE]
    if variant == "lowest":
        assert rpc == [], format_spans(trace)
        return
    assert len(rpc) == 1 and rpc[0].kind == "CLIENT", format_spans(trace)
    span = rpc[0]
    assert span.name == "kitex"
    assert span.attributes["rpc.method"] == "_OTHER"
    assert span.attributes["rpc.method_original"] == "Echo/Missing"
    assert span.attributes["error.type"] == "internal_exception"
    assert span.status_code == "ERROR"


def test_call_duration_metrics(run):
    variant, _, points, port = run
    base = {"rpc.system.name": "kitex", "server.address": "127.0.0.1", "server.port": port}
    for name, service in (("rpc.client.call.duration", "frontend"), ("rpc.server.call.duration", "echo")):
        ok = histogram(points, name, service, {**base, "rpc.method": "Echo/Say"}, SCOPE)
        assert ok.count == 1 and ok.sum > 0, format_points(points)
        for method, code in (("Echo/Fail", "INTERNAL_ERROR"), ("Echo/Find", "404")):
            attrs = {**base, "rpc.method": method, "rpc.response.status_code": code, "error.type": code}
            assert histogram(points, name, service, attrs, SCOPE).count == 1
    if variant == "newest":
        unknown = {"rpc.system.name": "kitex", "rpc.method": "_OTHER", "error.type": "internal_exception"}
        assert histogram(points, "rpc.client.call.duration", "frontend", unknown, SCOPE).count == 1
