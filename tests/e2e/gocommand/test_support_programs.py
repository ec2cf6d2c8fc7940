"""The test support against real Go programs built with plain `go build`
(no otelgo): the OTLP receiver gets what the official Go SDK exporters send
(testdata/manualsdk), and run_program starts and stops a server."""

from __future__ import annotations

import signal
import urllib.request

import pytest
from harness import check_build, go_build
from otlp import children_of, format_spans, one, parent_of


@pytest.fixture(scope="session")
def manualsdk(tmp_path_factory, testdata):
    out = tmp_path_factory.mktemp("manualsdk") / "manualsdk"
    check_build(go_build(testdata / "manualsdk", "-o", str(out), "."))
    return out


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_go_sdk_export_reaches_receiver(manualsdk, receiver, run_program, protocol):
    endpoint = receiver.http_endpoint if protocol == "http" else receiver.grpc_endpoint
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_HEADERS": "x-test-token=secret-123,authorization=Bearer xyz",
        "OTEL_SERVICE_NAME": "manual-svc",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=test,team=otelgo",
    }
    with run_program(manualsdk, [protocol], env, listen=False) as prog:
        assert prog.wait() == 0, prog.stderr

    spans = receiver.wait_for_spans(2)
    assert len(spans) == 2, format_spans(spans)
    parent = one(spans, name="parent")
    child = one(spans, name="child")

    assert parent.parent_span_id == ""
    assert child.parent_span_id == parent.span_id
    assert child.trace_id == parent.trace_id
    assert len(parent.trace_id) == 32 and len(parent.span_id) == 16
    assert parent_of(spans, child) == parent
    assert children_of(spans, parent) == [child]

    assert (parent.kind, child.kind) == ("SERVER", "CLIENT")
    assert parent.status_code == "UNSET"
    assert (child.status_code, child.status_message) == ("ERROR", "child failed")
    assert parent.attributes == {
        "test.protocol": protocol,
        "test.number": 42,
        "test.flag": True,
        "test.list": ["a", "b"],
    }
    assert 0 < parent.start_ns <= child.start_ns <= child.end_ns <= parent.end_ns
    assert parent.scope_name == "manualsdk"
    assert parent.service_name == "manual-svc"
    assert parent.resource["deployment.environment.name"] == "test"
    assert parent.resource["team"] == "otelgo"
    assert parent.resource["telemetry.sdk.language"] == "go"
    assert {s.transport for s in spans} == {protocol}

    requests = receiver.requests("traces")
    assert requests, "no trace export request recorded"
    for req in requests:
        assert req.transport == protocol
        assert req.headers["x-test-token"] == "secret-123"
        assert req.headers["authorization"] == "Bearer xyz"
    if protocol == "http":
        assert requests[0].content_type == "application/x-protobuf"


def test_run_program_waits_for_port_and_stops(testdata, run_program, tmp_path):
    backend = tmp_path / "backend"
    check_build(go_build(testdata / "httpchain", "-o", str(backend), "./cmd/backend"))
    with run_program(backend) as prog:
        # Serving at once: run_program returned only after the port opened.
        assert urllib.request.urlopen(prog.url + "/work", timeout=5).read() == b"ok"
    # An uninstrumented Go program dies of SIGTERM.
    assert prog.returncode == -signal.SIGTERM
