"""The test OTLP receiver, against hand-made requests for the encodings and
faults the Go exporter does not produce by default (and, in
tests/e2e/gocommand/test_support_programs.py, against the Go SDK's
exporters)."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request

import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from otlp import OTLPReceiver, one


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
