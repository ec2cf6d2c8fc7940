"""gRPC end to end: testdata/grpcapp built with `otel go build` at the newest
and the oldest grpc versions the rules claim, run against a real OTLP
receiver.

frontend (an HTTP server) calls the health service of the health program
(a gRPC server) over loopback with the request's context: one trace of
HTTP SERVER -> gRPC CLIENT -> gRPC SERVER across the two processes, with
the spans of the stats handlers that otelgo installs in grpc.NewServer and
grpc.NewClient (semconv v1.39: rpc.system.name, rpc.method
"package.Service/Method", rpc.response.status_code). oldest.mod holds
grpc 1.63.0 (the first with grpc.NewClient) with the x/net, x/sys and
protobuf it came with, which an older OpenTelemetry release set fits;
grpc.DialContext, hooked below 1.63, is tested by test_dependency_versions.py
at grpc 1.50.0, 1.56.3 and 1.61.1 (unary and a bidirectional stream). GET
/services runs a server reflection stream.
"""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from harness import TESTDATA, check_build, otel_build
from otlp import by_trace, format_spans, matching, one

GRPCAPP = TESTDATA / "grpcapp"
# go.mod holds the newest grpc tested, oldest.mod the lowest that has
# grpc.NewClient.
MODFILES = {"newest": None, "oldest": "oldest.mod"}
METHOD = "grpc.health.v1.Health/Check"
REFLECTION = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
GRPC_SCOPE = "otelgo.dev/rules/grpc"

HTTP_SERVER = {"service_name": "frontend", "kind": "SERVER"}
GRPC_CLIENT = {"service_name": "frontend", "kind": "CLIENT"}
GRPC_SERVER = {"service_name": "health", "kind": "SERVER"}


@pytest.fixture(scope="module", params=list(MODFILES))
def grpcapp(request, tmp_path_factory) -> dict[str, Path]:
    """frontend and health built with otelgo against go.mod or oldest.mod."""
    out = tmp_path_factory.mktemp(f"grpcapp-{request.param}")
    modfile = MODFILES[request.param]
    args = [f"-modfile={modfile}"] if modfile else []
    check_build(otel_build(GRPCAPP, *args, "-o", f"{out}/", "./cmd/frontend", "./cmd/health"))
    return {name: out / name for name in ("frontend", "health")}


def otel_env(receiver, protocol: str = "http/protobuf") -> dict[str, str]:
    endpoint = receiver.grpc_endpoint if protocol == "grpc" else receiver.http_endpoint
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }


@contextlib.contextmanager
def services(bins, run_program, env, dial: str = "newclient"):
    """health, then frontend pointed at it; both stopped (SIGTERM, which
    also flushes) when the block ends."""
    with run_program(bins["health"], env=env) as health:
        fe_env = dict(env, GRPC_ADDR=health.addr, GRPC_DIAL=dial)
        with run_program(bins["frontend"], env=fe_env) as frontend:
            yield frontend, health


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def expect_chain(spans) -> bool:
    return all(matching(spans, **w) for w in (HTTP_SERVER, GRPC_CLIENT, GRPC_SERVER))


def rpc_attrs(span) -> dict:
    keys = ("rpc.system.name", "rpc.method", "rpc.response.status_code", "server.address", "server.port")
    return {k: span.attributes.get(k) for k in keys}


@pytest.mark.parametrize("dial", ["newclient", "dial"])
def test_http_to_grpc_in_one_trace(grpcapp, receiver, run_program, dial):
    with services(grpcapp, run_program, otel_env(receiver), dial) as (frontend, health):
        assert get(frontend.url + "/check/shop") == (200, "SERVING\n")
        receiver.wait_for_spans(expect_chain)
    spans = receiver.spans
    # grpc.Dial calls grpc.NewClient: still exactly one client span.
    assert len(spans) == 3, format_spans(spans)
    assert len(by_trace(spans)) == 1, format_spans(spans)
    http_server, client, server = one(spans, **HTTP_SERVER), one(spans, **GRPC_CLIENT), one(spans, **GRPC_SERVER)

    assert http_server.parent_span_id == ""
    assert client.parent_span_id == http_server.span_id
    assert server.parent_span_id == client.span_id
    assert http_server.name == "GET /check/{service}"

    want = {
        "rpc.system.name": "grpc",
        "rpc.method": METHOD,
        "rpc.response.status_code": "OK",
        "server.address": "127.0.0.1",
        "server.port": health.port,
    }
    for span in (client, server):
        assert span.name == METHOD
        assert span.scope_name == GRPC_SCOPE
        assert rpc_attrs(span) == want, span.attributes
        assert span.attributes["network.peer.address"] == "127.0.0.1"
        assert span.status_code == "UNSET"
    # The other end of each connection: the health server for the client,
    # the frontend's ephemeral port for the server.
    assert client.attributes["network.peer.port"] == health.port
    assert server.attributes["network.peer.port"] not in (health.port, frontend.port)
    assert http_server.start_ns <= client.start_ns <= client.end_ns <= http_server.end_ns


def test_bidirectional_stream_in_one_trace(grpcapp, receiver, run_program):
    """A server reflection stream (client and server both send): one span
    per side for the whole stream, ended when it ends, in one trace."""
    with services(grpcapp, run_program, otel_env(receiver)) as (frontend, health):
        status, body = get(frontend.url + "/services")
        assert status == 200 and "grpc.health.v1.Health" in body.split(), body
        receiver.wait_for_spans(expect_chain)
    spans = receiver.spans
    assert len(spans) == 3, format_spans(spans)
    assert len(by_trace(spans)) == 1, format_spans(spans)
    http_server, client, server = one(spans, **HTTP_SERVER), one(spans, **GRPC_CLIENT), one(spans, **GRPC_SERVER)
    assert http_server.name == "GET /services"
    assert client.parent_span_id == http_server.span_id and server.parent_span_id == client.span_id
    for span in (client, server):
        assert span.name == REFLECTION
        assert rpc_attrs(span) == {
            "rpc.system.name": "grpc",
            "rpc.method": REFLECTION,
            "rpc.response.status_code": "OK",
            "server.address": "127.0.0.1",
            "server.port": health.port,
        }, span.attributes
        assert span.status_code == "UNSET"
    # The client's span covers the server's: it ends when the stream's end reaches it.
    assert client.start_ns <= server.start_ns and server.end_ns <= client.end_ns <= http_server.end_ns


def test_error_status_codes(grpcapp, receiver, run_program):
    with services(grpcapp, run_program, otel_env(receiver)) as (frontend, _):
        assert get(frontend.url + "/check/missing") == (404, "NOT_FOUND\n")
        receiver.wait_for_spans(expect_chain)
    spans = receiver.spans
    assert len(spans) == 3, format_spans(spans)
    client, server = one(spans, **GRPC_CLIENT), one(spans, **GRPC_SERVER)
    for span in (client, server):
        assert span.attributes["rpc.response.status_code"] == "NOT_FOUND", span.attributes
        assert span.attributes["rpc.method"] == METHOD
    # A failed call is an error for the client; for the server NOT_FOUND is
    # the caller's mistake (only UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED,
    # INTERNAL, UNAVAILABLE and DATA_LOSS are server errors).
    assert (client.status_code, client.status_message) == ("ERROR", "unknown service")
    assert server.status_code == "UNSET"
    http_server = one(spans, **HTTP_SERVER)
    assert http_server.attributes["http.response.status_code"] == 404
    assert client.parent_span_id == http_server.span_id and server.parent_span_id == client.span_id


def test_otlp_grpc_exports_are_not_traced(grpcapp, receiver, run_program):
    """With OTEL_EXPORTER_OTLP_PROTOCOL=grpc both programs export through a
    grpc.NewClient of their own, made by the OTLP exporter: its Export RPCs
    must not be traced (each export would make a span to export, forever)."""
    with services(grpcapp, run_program, otel_env(receiver, "grpc")) as (frontend, _):
        assert get(frontend.url + "/check/shop")[0] == 200
        receiver.wait_for_spans(3)
        # Spans of the exports that carried the first request's spans would
        # end before the second request's spans, and so reach the receiver
        # no later than they do.
        assert get(frontend.url + "/check/shop")[0] == 200
        receiver.wait_for_spans(6)
    spans = receiver.spans
    assert {s.transport for s in spans} == {"grpc"}
    assert len(spans) == 6, format_spans(spans)
    assert not [s for s in spans if "opentelemetry.proto.collector" in s.name], format_spans(spans)
    assert len(by_trace(spans)) == 2
