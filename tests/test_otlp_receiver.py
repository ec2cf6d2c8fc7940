"""The test OTLP receiver, checked against the official Go SDK exporters
(testdata/manualsdk, built with plain `go build`, no otelgo involved) and
against hand-made requests for the encodings and faults the Go exporter
does not produce by default."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request

import pytest
from harness import check_build, go_build
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from otlp import OTLPReceiver, children_of, format_spans, one, parent_of


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


def test_wait_for_spans_times_out_with_what_arrived(receiver):
    with pytest.raises(AssertionError, match="received 0"):
        receiver.wait_for_spans(1, timeout=0.3)


# --- hand-made requests ------------------------------------------------------

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
SPAN_ID = "00f067aa0ba902b7"


def _request_proto() -> trace_service_pb2.ExportTraceServiceRequest:
    req = trace_service_pb2.ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "handmade"
    ss = rs.scope_spans.add()
    ss.scope.name = "tests"
    s = ss.spans.add()
    s.trace_id = bytes.fromhex(TRACE_ID)
    s.span_id = bytes.fromhex(SPAN_ID)
    s.parent_span_id = bytes.fromhex(PARENT_ID)
    s.name = "GET /x"
    s.kind = trace_pb2.Span.SPAN_KIND_SERVER
    a = s.attributes.add()
    a.key, a.value.int_value = "http.response.status_code", 503
    s.status.code = trace_pb2.Status.STATUS_CODE_ERROR
    return req


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def _check_handmade_span(spans):
    s = one(spans, name="GET /x")
    assert (s.trace_id, s.span_id, s.parent_span_id) == (TRACE_ID, SPAN_ID, PARENT_ID)
    assert (s.kind, s.status_code, s.service_name) == ("SERVER", "ERROR", "handmade")
    assert s.attributes == {"http.response.status_code": 503}


def test_http_gzip_protobuf(receiver):
    body = gzip.compress(_request_proto().SerializeToString())
    status = _post(
        receiver.http_endpoint + "/v1/traces",
        body,
        {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"},
    )
    assert status == 200
    _check_handmade_span(receiver.wait_for_spans(1))
    assert receiver.requests()[0].content_encoding == "gzip"


def test_http_json_with_hex_ids(receiver):
    # OTLP/JSON as the spec writes it: hex ids, integer enums, camelCase.
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "handmade"}}]},
                "scopeSpans": [
                    {
                        "scope": {"name": "tests"},
                        "spans": [
                            {
                                "traceId": TRACE_ID,
                                "spanId": SPAN_ID,
                                "parentSpanId": PARENT_ID,
                                "name": "GET /x",
                                "kind": 2,
                                "attributes": [
                                    {
                                        "key": "http.response.status_code",
                                        "value": {"intValue": "503"},
                                    }
                                ],
                                "status": {"code": 2},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    status = _post(
        receiver.http_endpoint + "/v1/traces",
        json.dumps(doc).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200
    _check_handmade_span(receiver.wait_for_spans(1))


def test_injected_faults_then_recovery(receiver):
    body = _request_proto().SerializeToString()
    headers = {"Content-Type": "application/x-protobuf"}
    url = receiver.http_endpoint + "/v1/traces"
    receiver.fail_next(1, status=429)
    receiver.fail_next(1, status=500)
    assert _post(url, body, headers) == 429
    assert _post(url, body, headers) == 500
    assert receiver.spans == []  # refused exports are not accepted
    assert _post(url, body, headers) == 200
    assert len(receiver.wait_for_spans(1)) == 1
    assert [r.accepted for r in receiver.requests()] == [False, False, True]


def test_metrics_and_logs_are_recorded(receiver):
    headers = {"Content-Type": "application/x-protobuf"}
    assert _post(receiver.http_endpoint + "/v1/metrics", b"", headers) == 200
    assert _post(receiver.http_endpoint + "/v1/logs", b"", headers) == 200
    assert _post(receiver.http_endpoint + "/v1/nope", b"", headers) == 404
    assert [r.signal for r in receiver.records] == ["metrics", "logs"]


def test_malformed_body_is_rejected_and_recorded(receiver):
    status = _post(
        receiver.http_endpoint + "/v1/traces",
        b"\xff\xff\xff",
        {"Content-Type": "application/x-protobuf"},
    )
    assert status == 400
    assert [(r.accepted, r.message) for r in receiver.requests()] == [(False, None)]


def test_stall_holds_the_answer():
    with OTLPReceiver(grpc_enabled=False) as rx:
        rx.stall = 30.0
        # A client with a short timeout gives up while the receiver stalls.
        req = urllib.request.Request(
            rx.http_endpoint + "/v1/traces",
            data=b"",
            headers={"Content-Type": "application/x-protobuf"},
            method="POST",
        )
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            urllib.request.urlopen(req, timeout=0.5)
    # Leaving the block released the stalled handler instead of hanging.
