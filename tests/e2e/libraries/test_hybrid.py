"""Hybrid use: a program's own spans, made with the OpenTelemetry API, and
the automatic spans form one trace — with otelgo's SDK setup, and with a
TracerProvider the program sets up itself."""

from __future__ import annotations

import urllib.request

import harness
import pytest
from otlp import parent_of


@pytest.fixture(scope="module")
def built(tmp_path_factory, testdata):
    out = tmp_path_factory.mktemp("hybrid")
    for name in ("manual", "owntp"):
        harness.check_build(harness.otel_build(testdata / "hybrid", "-o", str(out / name), f"./cmd/{name}"))
    return out


def chain(spans, leaf):
    """Names from the root down to leaf."""
    names = []
    while leaf is not None:
        names.append(leaf.name)
        leaf = parent_of(spans, leaf)
    return list(reversed(names))


def request_through(binary, receiver, want_spans: int):
    with harness.TargetServer() as backend:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "BACKEND_URL": backend.url + "/data",
        }
        with harness.run_program(binary, env=env) as prog:
            with urllib.request.urlopen(prog.url + "/work", timeout=30) as resp:
                assert resp.read().strip() == b"pong"
            spans = receiver.wait_for_spans(want_spans)
    return spans, backend.requests


def test_manual_spans_sit_between_automatic_ones(built, receiver):
    spans, sent = request_through(built / "manual", receiver, 4)
    (client,) = [s for s in spans if s.kind == "CLIENT"]
    assert chain(spans, client) == ["GET /work", "handle-work", "call-backend", "GET"]
    assert len({s.trace_id for s in spans}) == 1
    handle = next(s for s in spans if s.name == "handle-work")
    assert handle.kind == "INTERNAL" and handle.attributes["app.step"] == "outer"
    assert handle.scope_name == "example.com/hybrid/manual"
    # The downstream service is told about the automatic client span.
    assert sent[0].headers["traceparent"].split("-")[2] == client.span_id


def test_program_with_its_own_tracer_provider_gets_one_trace(built, receiver):
    spans, sent = request_through(built / "owntp", receiver, 3)
    (client,) = [s for s in spans if s.kind == "CLIENT"]
    assert chain(spans, client) == ["GET", "own-span", "GET"]
    assert chain(spans, client)[0] == next(s.name for s in spans if s.kind == "SERVER")
    # Every span, automatic or not, went through the program's provider.
    assert {s.service_name for s in spans} == {"owntp-service"}
    assert len({s.trace_id for s in spans}) == 1
    assert sent[0].headers["traceparent"].split("-")[2] == client.span_id
