"""Model Context Protocol end to end: testdata/mcpapp, built with
`otel go build` at both ends of the rules' ranges (go.mod: go-sdk v1.8.0 and
mcp-go v1.6.0; oldest.mod: go-sdk v1.1.0 and mcp-go v0.43.0), is an MCP
client in one process that starts itself as an MCP server in a second
process and talks to it over stdio, with each SDK's client against each
SDK's server. Over stdio nothing but the request's params._meta carries the
trace context: every request is a CLIENT span in the client's process and a
SERVER span, its child, in the server's, all in the trace of the client's
HTTP request, per the MCP semantic conventions; and both sides measure
mcp.*.operation.duration."""

from __future__ import annotations

import pytest
from harness import TESTDATA
from otlp import OTLPReceiver, format_points, format_spans, metric_points, series
from scenario import VARIANTS, build, drive, otel_env

APP = TESTDATA / "mcpapp"
RULES = "otelgo.dev/rules/"
SCOPES = {"gosdk": RULES + "mcpsdk", "mcpgo": RULES + "mcpgo"}
PAIRS = [("gosdk", "gosdk"), ("mcpgo", "mcpgo"), ("gosdk", "mcpgo"), ("mcpgo", "gosdk")]
ROUTES = [(f"/{c}-{s}", 200) for c, s in PAIRS] + [("/gosdk-http", 200)]
# The handshake is "initialize" (with a notifications/initialized after it)
# up to protocol version 2025-11-25 and "server/discover" from 2026-07-28,
# which the newest SDKs negotiate.
HANDSHAKES = ("initialize", "server/discover")
CALLS = ["tools/list", "tools/call add", "tools/call divide", "tools/call nope"]


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"mcp-{request.param}")
    binary = build(APP, request.param, out)
    with OTLPReceiver() as rx:
        requests = drive(binary, ROUTES, otel_env(rx, "mcpapp"), rx, out)
        # The servers' spans: one per request each server handled.
        want = (len(PAIRS) + 1) * (len(CALLS) + 1)
        spans = rx.wait_for_spans(lambda spans: sum(s.service_name == "mcpapp-server" for s in spans) >= want)
        return requests, spans, metric_points(rx)


def calls(run, client: str, server: str, route: str = ""):
    """The route's MCP CLIENT spans by name, each with its SERVER span."""
    requests, spans, _ = run
    req = requests[route or f"/{client}-{server}"]
    ours = [s for s in req.spans if s.scope_name == SCOPES[client] and s.service_name == "mcpapp"]
    tree = format_spans([s for s in spans if s.trace_id == req.server.trace_id])
    names = [s.name for s in ours if s.name != "notifications/initialized"]
    # (Over HTTP the newest go-sdk client tries server/discover, then initialize.)
    shakes = [n for n in names if n in HANDSHAKES]
    assert shakes and names == shakes + CALLS, tree
    out = {}
    for span in ours:
        assert span.kind == "CLIENT" and span.parent_span_id == req.server.span_id, tree
        assert span.service_name == "mcpapp"
        served = [s for s in spans if s.parent_span_id == span.span_id and s.kind == "SERVER"]
        assert len(served) == 1, f"{span.name}: no one SERVER span below it:\n{tree}"
        srv = served[0]
        assert (srv.kind, srv.name, srv.scope_name) == ("SERVER", span.name, SCOPES[server]), tree
        assert srv.trace_id == req.server.trace_id and srv.service_name == "mcpapp-server"
        assert srv.attributes["mcp.method.name"] == span.attributes["mcp.method.name"]
        out[span.name] = (span, srv)
    return out


@pytest.mark.parametrize(("client", "server"), PAIRS, ids=[f"{c}-{s}" for c, s in PAIRS])
def test_one_trace_across_client_and_server(run, client, server):
    got = calls(run, client, server)
    for name, (span, srv) in got.items():
        method = name.split(" ")[0]
        for s in (span, srv):
            assert s.attributes["mcp.method.name"] == method
    if client == "gosdk" and "initialize" in got:  # mcp-go's client sends no span for its notification
        assert "notifications/initialized" in got
    span, srv = got["tools/call add"]
    for s in (span, srv):
        assert s.status_code == "UNSET" and "error.type" not in s.attributes, s.attributes
        assert s.attributes["gen_ai.tool.name"] == "add"
        assert s.attributes["gen_ai.operation.name"] == "execute_tool"
    if server == "mcpgo":  # the server reads the JSON-RPC id from the message
        assert srv.attributes["jsonrpc.request.id"].isdigit()
    if server == "gosdk":  # the session knows the protocol version it negotiated
        assert srv.attributes["mcp.protocol.version"] >= "2025-03-26"
    assert "gen_ai.tool.name" not in got["tools/list"][0].attributes


@pytest.mark.parametrize(("client", "server"), PAIRS, ids=[f"{c}-{s}" for c, s in PAIRS])
def test_tool_error_and_json_rpc_error(run, client, server):
    got = calls(run, client, server)
    # A tool that failed: a result with isError.
    for s in got["tools/call divide"]:
        assert s.status_code == "ERROR" and s.attributes["error.type"] == "tool_error", s.attributes
    # A tool that does not exist: a JSON-RPC error, with its code.
    span, srv = got["tools/call nope"]
    assert srv.status_code == "ERROR"
    code = srv.attributes["rpc.response.status_code"]
    assert code.lstrip("-").isdigit() and srv.attributes["error.type"] == code, srv.attributes
    assert span.status_code == "ERROR" and span.attributes.get("error.type"), span.attributes


def test_operation_durations(run):
    _, _, points = run
    add = {"mcp.method.name": "tools/call", "gen_ai.tool.name": "add", "gen_ai.operation.name": "execute_tool"}
    # The client side: the routes that use each SDK's client (go-sdk's: two
    # over stdio, one over HTTP), in series by the protocol version each
    # session negotiated (go-sdk's only: mcp-go's client does not tell).
    for sdk, routes in (("gosdk", 3), ("mcpgo", 2)):
        found = [
            p
            for p in series(points, "mcp.client.operation.duration", "mcpapp")
            if p.scope_name == SCOPES[sdk] and p.attributes.get("gen_ai.tool.name") == "add"
        ]
        for p in found:
            attrs = dict(p.attributes)
            if sdk == "gosdk":
                assert attrs.pop("mcp.protocol.version") in ("2025-06-18", "2025-11-25", "2026-07-28"), p
            assert attrs == add and p.unit == "s" and sum(p.bucket_counts) == p.count, p
        assert sum(p.count for p in found) == routes, format_points(found)
    # Each server process exports its points once, at its exit (the HTTP
    # one on SIGTERM): one failed tool call each.
    failed = [
        p
        for p in points
        if p.name == "mcp.server.operation.duration"
        and p.service_name == "mcpapp-server"
        and p.attributes.get("error.type") == "tool_error"
    ]
    servers = [SCOPES[s] for _, s in PAIRS] + [SCOPES["gosdk"]]
    assert sorted(p.scope_name for p in failed) == sorted(servers), format_points(failed)
    assert all(p.count == 1 and p.attributes["gen_ai.tool.name"] == "divide" for p in failed), format_points(failed)


def test_streamable_http(run):
    """Over HTTP the MCP spans are above the HTTP spans: the client's MCP span
    is the parent of its HTTP CLIENT span and of the server's MCP span; both
    have the session id (up to the protocol versions that have sessions)."""
    requests, spans, _ = run
    got = calls(run, "gosdk", "gosdk", "/gosdk-http")
    span, srv = got["tools/call add"]
    http = [s for s in spans if s.parent_span_id == span.span_id and s.kind == "CLIENT"]
    assert [s.name for s in http] == ["POST"], format_spans(spans)
    assert http[0].attributes["url.full"].endswith("/mcp")
    session = span.attributes.get("mcp.session.id")
    protocol = srv.attributes.get("mcp.protocol.version", "")
    if protocol < "2026-07-28":  # the last versions have no sessions
        assert session and srv.attributes.get("mcp.session.id") == session, (span.attributes, srv.attributes)
