"""`otel view`: the OTLP receivers (OTLP/HTTP protobuf or JSON, OTLP/gRPC).

Every span received is turned into a `traces.Span` and handed to a
callback; metrics and logs are accepted and dropped, so a program that
exports them too sees no errors. Needs opentelemetry-proto and grpcio
(the `view` extra): importing this module fails without them.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import gzip
import json
import os
import socket
import threading
import zlib
from collections.abc import Callable, Iterable
from concurrent import futures
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# grpc's core logs a failed bind on stderr itself; the viewer says it in one
# line of its own. Read when grpc initialises, so set before the import.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

import grpc
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from otelgo.view.traces import Span

HOST = "127.0.0.1"
# Larger bodies are refused; a collector's default limit is of this order.
MAX_BODY = 64 << 20

OnSpans = Callable[[list[Span]], None]


class ReceiverError(Exception):
    """A receiver could not start (its port is taken, most often)."""


# --- OTLP -> Span ---------------------------------------------------------------


def spans_from_request(request: trace_service_pb2.ExportTraceServiceRequest) -> list[Span]:
    out = []
    for rs in request.resource_spans:
        resource = attributes(rs.resource.attributes)
        service = str(resource.get("service.name", "")) or "unknown_service"
        for ss in rs.scope_spans:
            out += [_span(s, service) for s in ss.spans]
    return out


def _span(s: trace_pb2.Span, service: str) -> Span:
    return Span(
        trace_id=s.trace_id.hex(),
        span_id=s.span_id.hex(),
        parent_span_id=s.parent_span_id.hex(),
        name=s.name,
        kind=trace_pb2.Span.SpanKind.Name(s.kind).removeprefix("SPAN_KIND_"),
        service=service,
        start_ns=s.start_time_unix_nano,
        end_ns=s.end_time_unix_nano,
        status_code=trace_pb2.Status.StatusCode.Name(s.status.code).removeprefix("STATUS_CODE_"),
        status_message=s.status.message,
        attributes=attributes(s.attributes),
    )


def any_value(v: common_pb2.AnyValue) -> Any:
    """Turn an OTLP AnyValue into a plain Python value."""
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [any_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return attributes(v.kvlist_value.values)
    return getattr(v, which)


def attributes(kvs: Iterable[common_pb2.KeyValue]) -> dict[str, Any]:
    return {kv.key: any_value(kv.value) for kv in kvs}


# --- OTLP/HTTP bodies -------------------------------------------------------------

# OTLP/JSON writes trace and span ids in hex where the protobuf JSON mapping
# expects base64; they are converted before parsing.
_ID_KEYS = {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}

# What a broken body raises: bad gzip/deflate, bad JSON, bad protobuf.
DECODE_ERRORS = (OSError, EOFError, ValueError, zlib.error, DecodeError, json_format.ParseError)


def decode_traces(
    body: bytes, content_type: str, content_encoding: str = ""
) -> trace_service_pb2.ExportTraceServiceRequest:
    """An OTLP/HTTP traces body as a message; raises one of DECODE_ERRORS."""
    if content_encoding == "gzip":
        body = gzip.decompress(body)
    elif content_encoding == "deflate":
        body = zlib.decompress(body)
    msg = trace_service_pb2.ExportTraceServiceRequest()
    if "json" in content_type:
        json_format.ParseDict(_hex_ids_to_base64(json.loads(body)), msg, ignore_unknown_fields=True)
    else:
        msg.ParseFromString(body)
    return msg


def _hex_ids_to_base64(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: base64.b64encode(bytes.fromhex(v)).decode()
            if k in _ID_KEYS and isinstance(v, str)
            else _hex_ids_to_base64(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids_to_base64(x) for x in node]
    return node


# Empty success responses per path (protobuf form; JSON clients get "{}").
_HTTP_RESPONSES = {
    "/v1/traces": trace_service_pb2.ExportTraceServiceResponse,
    "/v1/metrics": metrics_service_pb2.ExportMetricsServiceResponse,
    "/v1/logs": logs_service_pb2.ExportLogsServiceResponse,
}


def _http_handler(on_spans: OnSpans) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as exporters expect of a collector

        def log_message(self, *args) -> None:  # the terminal belongs to the traces
            pass

        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True  # the body is not read
                return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"body too large", "text/plain")
            body = self.rfile.read(length)
            if path not in _HTTP_RESPONSES:
                return self._reply(HTTPStatus.NOT_FOUND, b"unknown path", "text/plain")
            ctype = self.headers.get("Content-Type", "")
            if path == "/v1/traces":
                try:
                    msg = decode_traces(body, ctype, self.headers.get("Content-Encoding", ""))
                except DECODE_ERRORS as e:
                    return self._reply(HTTPStatus.BAD_REQUEST, str(e).encode(), "text/plain")
                on_spans(spans_from_request(msg))
            if "json" in ctype:
                return self._reply(HTTPStatus.OK, b"{}", "application/json")
            return self._reply(HTTPStatus.OK, _HTTP_RESPONSES[path]().SerializeToString(), "application/x-protobuf")

        def _reply(self, status: int, body: bytes, ctype: str) -> None:
            # The exporter may have hung up already; that is its business.
            with contextlib.suppress(ConnectionError):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

    return Handler


# --- OTLP/gRPC ------------------------------------------------------------------------


class _GrpcTraces(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, on_spans: OnSpans):
        self._on_spans = on_spans

    def Export(self, request, context):
        self._on_spans(spans_from_request(request))
        return trace_service_pb2.ExportTraceServiceResponse()


class _GrpcMetrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    def Export(self, request, context):
        return metrics_service_pb2.ExportMetricsServiceResponse()


class _GrpcLogs(logs_service_pb2_grpc.LogsServiceServicer):
    def Export(self, request, context):
        return logs_service_pb2.ExportLogsServiceResponse()


# --- both servers ----------------------------------------------------------------------


class Receivers:
    """OTLP/HTTP on `http_port` and OTLP/gRPC on `grpc_port` (0: no gRPC),
    on `host` (loopback unless told otherwise: what arrives is shown to
    whoever runs the viewer, and programs' spans carry URLs, queries and
    database statements). start() raises ReceiverError when a port is taken."""

    def __init__(self, http_port: int, grpc_port: int, on_spans: OnSpans, host: str = HOST):
        self.host = host
        self.http_port = http_port
        self.grpc_port = grpc_port
        self._on_spans = on_spans
        self._http: ThreadingHTTPServer | None = None
        self._grpc: grpc.Server | None = None

    def start(self) -> None:
        self._start_http()
        if self.grpc_port:
            try:
                self._start_grpc()
            except ReceiverError:
                self.close()
                raise

    def close(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._grpc is not None:
            self._grpc.stop(grace=0.5).wait()
            self._grpc = None

    def _start_http(self) -> None:
        try:
            server = _server_class(self.host)((self.host, self.http_port), _http_handler(self._on_spans))
        except OSError as e:
            raise ReceiverError(_bind_problem("OTLP/HTTP", self.http_port, "--http-port", e)) from None
        server.daemon_threads = True  # an exporter holding a connection open must not block exit
        self.http_port = server.server_address[1]
        threading.Thread(target=server.serve_forever, name="otel-view-http", daemon=True).start()
        self._http = server

    def _start_grpc(self) -> None:
        # No SO_REUSEPORT: a second receiver on the same port must fail, not share it.
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)])
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_GrpcTraces(self._on_spans), server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(_GrpcMetrics(), server)
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(_GrpcLogs(), server)
        try:
            # grpcio answers a taken port with 0 in some versions and RuntimeError in others.
            port = server.add_insecure_port(f"{_bracketed(self.host)}:{self.grpc_port}")
        except RuntimeError as e:
            raise ReceiverError(_bind_problem("OTLP/gRPC", self.grpc_port, "--grpc-port", e)) from None
        if port == 0:
            raise ReceiverError(_bind_problem("OTLP/gRPC", self.grpc_port, "--grpc-port", None))
        server.start()
        self.grpc_port = port
        self._grpc = server


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _server_class(host: str) -> type[ThreadingHTTPServer]:
    if ":" not in host:
        return ThreadingHTTPServer

    class V6(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    return V6


def _bind_problem(what: str, port: int, option: str, error: Exception | None) -> str:
    in_use = error is None or isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.EADDRINUSE
    cause = "is in use (a collector already running?)" if in_use else f"cannot be used: {error}"
    return f"port {port} for {what} {cause}; choose another with {option}"
