"""A real OTLP receiver for the tests: OTLP/HTTP and OTLP/gRPC on loopback.

Programs under test export to it exactly as they would to a collector; the
receiver decodes what arrives with the official protobuf definitions
(opentelemetry-proto) and flattens spans into `Span` records that tests can
assert on.

    with OTLPReceiver() as rx:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rx.http_endpoint   # or rx.grpc_endpoint
        ... run the program ...
        spans = rx.wait_for_spans(3)

Every export request is kept as an `ExportRecord` (transport, signal,
headers, decoded message), so tests can check auth headers and see metrics
and logs too. `fail_next()` and `stall` let fault tests make the receiver
answer with an error or hang.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1 import (
    logs_service_pb2,
    logs_service_pb2_grpc,
)
from opentelemetry.proto.collector.metrics.v1 import (
    metrics_service_pb2,
    metrics_service_pb2_grpc,
)
from opentelemetry.proto.collector.trace.v1 import (
    trace_service_pb2,
    trace_service_pb2_grpc,
)
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

# The OTLP value decoding otel view uses: one reading of AnyValue for both.
from otelgo.view.receiver import any_value, attributes  # noqa: E402,F401

# signal -> (request message type, response message type)
_MESSAGES = {
    "traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
    ),
    "metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
    ),
    "logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
    ),
}

# HTTP status -> the gRPC code a collector would answer with for the same fault.
_GRPC_CODE_FOR_HTTP = {
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    502: grpc.StatusCode.UNAVAILABLE,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
}


@dataclass(frozen=True)
class Span:
    """One span as received, with ids in lowercase hex and enums as names."""

    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a root span
    name: str
    kind: str  # "SERVER", "CLIENT", "INTERNAL", "PRODUCER", "CONSUMER", "UNSPECIFIED"
    attributes: dict[str, Any]
    status_code: str  # "UNSET", "OK", "ERROR"
    status_message: str
    resource: dict[str, Any]
    service_name: str
    scope_name: str
    scope_version: str
    start_ns: int
    end_ns: int
    trace_state: str = ""
    events: tuple[tuple[str, dict[str, Any]], ...] = ()
    transport: str = ""  # "http" or "grpc": how the span reached the receiver
    links: tuple[tuple[str, str], ...] = ()  # (trace_id, span_id) of each link

    def short(self) -> str:
        """One line for assertion messages."""
        parent = self.parent_span_id or "-"
        return (
            f"[{self.service_name}] {self.kind} {self.name!r} "
            f"trace={self.trace_id} span={self.span_id} parent={parent} "
            f"status={self.status_code}"
        )


@dataclass
class ExportRecord:
    """One export request: how it came, its headers, and what it carried."""

    transport: str  # "http" or "grpc"
    signal: str  # "traces", "metrics", "logs"
    headers: dict[str, str]  # lowercased names; gRPC metadata for grpc
    message: Any  # the decoded Export*ServiceRequest (None if undecodable)
    accepted: bool  # False when the receiver answered with an injected fault
    content_type: str = ""
    content_encoding: str = ""


def _enum_suffix(enum_type, number: int, prefix: str) -> str:
    name = enum_type.Name(number)
    return name.removeprefix(prefix)


def flatten(request: trace_service_pb2.ExportTraceServiceRequest, transport: str = "") -> list[Span]:
    """Flatten an ExportTraceServiceRequest into Span records."""
    out = []
    for rs in request.resource_spans:
        resource = attributes(rs.resource.attributes)
        for ss in rs.scope_spans:
            for s in ss.spans:
                out.append(
                    Span(
                        trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(),
                        parent_span_id=s.parent_span_id.hex(),
                        name=s.name,
                        kind=_enum_suffix(trace_pb2.Span.SpanKind, s.kind, "SPAN_KIND_"),
                        attributes=attributes(s.attributes),
                        status_code=_enum_suffix(trace_pb2.Status.StatusCode, s.status.code, "STATUS_CODE_"),
                        status_message=s.status.message,
                        resource=resource,
                        service_name=str(resource.get("service.name", "")),
                        scope_name=ss.scope.name,
                        scope_version=ss.scope.version,
                        start_ns=s.start_time_unix_nano,
                        end_ns=s.end_time_unix_nano,
                        trace_state=s.trace_state,
                        events=tuple((e.name, attributes(e.attributes)) for e in s.events),
                        transport=transport,
                        links=tuple((link.trace_id.hex(), link.span_id.hex()) for link in s.links),
                    )
                )
    return out


@dataclass
class LogRecord:
    """One log record of an ExportLogsServiceRequest, flattened."""

    body: Any  # the decoded AnyValue: a str for the bridges' messages
    severity_number: int  # 0 when unspecified
    severity_text: str
    attributes: dict[str, Any]
    trace_id: str  # hex; "" when the record belongs to no span
    span_id: str
    scope_name: str
    service_name: str
    transport: str = ""

    def short(self) -> str:
        """One line for assertion messages."""
        return (
            f"[{self.scope_name}] {self.severity_text or self.severity_number} {self.body!r} "
            f"{self.attributes} trace={self.trace_id or '-'} span={self.span_id or '-'}"
        )


def flatten_logs(request: logs_service_pb2.ExportLogsServiceRequest, transport: str = "") -> list[LogRecord]:
    """Flatten an ExportLogsServiceRequest into LogRecords."""
    out = []
    for rl in request.resource_logs:
        service = str(attributes(rl.resource.attributes).get("service.name", ""))
        for sl in rl.scope_logs:
            for r in sl.log_records:
                out.append(
                    LogRecord(
                        body=any_value(r.body) if r.HasField("body") else None,
                        severity_number=r.severity_number,
                        severity_text=r.severity_text,
                        attributes=attributes(r.attributes),
                        trace_id=r.trace_id.hex(),
                        span_id=r.span_id.hex(),
                        scope_name=sl.scope.name,
                        service_name=service,
                        transport=transport,
                    )
                )
    return out


# --- OTLP/JSON ---------------------------------------------------------------
# OTLP/JSON differs from the protobuf JSON mapping in one way that matters
# here: trace and span ids are hex, where protobuf JSON expects base64.
_ID_KEYS = {
    "traceId",
    "spanId",
    "parentSpanId",
    "trace_id",
    "span_id",
    "parent_span_id",
}


def _hex_ids_to_base64(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                base64.b64encode(bytes.fromhex(v)).decode()
                if k in _ID_KEYS and isinstance(v, str)
                else _hex_ids_to_base64(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids_to_base64(x) for x in node]
    return node


def _decode_body(body: bytes, content_type: str, message_type):
    msg = message_type()
    if "json" in content_type:
        json_format.ParseDict(_hex_ids_to_base64(json.loads(body)), msg, ignore_unknown_fields=True)
    else:
        msg.ParseFromString(body)
    return msg


# What a broken body raises: bad gzip/deflate, bad JSON, bad protobuf.
_DECODE_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    DecodeError,
    json_format.ParseError,
)


# --- the receiver ------------------------------------------------------------


Until = int | Callable[[list[Span]], Any]


class OTLPReceiver:
    """OTLP/HTTP and OTLP/gRPC receiver on 127.0.0.1, ephemeral ports.

    Use as a context manager. `http_endpoint` and `grpc_endpoint` are the
    values for OTEL_EXPORTER_OTLP_ENDPOINT (the HTTP exporter appends
    /v1/traces itself).
    """

    def __init__(self, *, grpc_enabled: bool = True):
        self._grpc_enabled = grpc_enabled
        self._cond = threading.Condition()
        self._records: list[ExportRecord] = []
        self._spans: list[Span] = []
        self._faults: list[int] = []  # HTTP statuses for the next requests, FIFO
        self._closed = threading.Event()
        #: seconds each export request is held before it is answered
        self.stall = 0.0
        self._http: ThreadingHTTPServer | None = None
        self._grpc: grpc.Server | None = None
        self.http_port = 0
        self.grpc_port = 0

    # -- lifecycle

    def __enter__(self) -> OTLPReceiver:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _make_http_handler(self))
        # Never wait for handler threads (a stalled one would block close()).
        self._http.daemon_threads = True
        self._http.block_on_close = False
        self.http_port = self._http.server_address[1]
        threading.Thread(target=self._http.serve_forever, name="otlp-http", daemon=True).start()
        if self._grpc_enabled:
            self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
            trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_GrpcTraces(self), self._grpc)
            metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(_GrpcMetrics(self), self._grpc)
            logs_service_pb2_grpc.add_LogsServiceServicer_to_server(_GrpcLogs(self), self._grpc)
            self.grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
            self._grpc.start()

    def close(self) -> None:
        self._closed.set()  # releases stalled handlers
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._grpc is not None:
            self._grpc.stop(grace=None)

    @property
    def http_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.grpc_port}"

    # -- faults

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        """Answer the next `count` export requests with HTTP `status` (or the
        matching gRPC code). Their content is recorded but not accepted."""
        with self._cond:
            self._faults.extend([status] * count)

    def _take_fault(self) -> int | None:
        with self._cond:
            return self._faults.pop(0) if self._faults else None

    def _hold(self) -> None:
        if self.stall > 0:
            self._closed.wait(self.stall)

    # -- recording

    def _record(self, rec: ExportRecord) -> None:
        with self._cond:
            self._records.append(rec)
            if rec.accepted and rec.signal == "traces" and rec.message is not None:
                self._spans.extend(flatten(rec.message, rec.transport))
            self._cond.notify_all()

    @property
    def records(self) -> list[ExportRecord]:
        with self._cond:
            return list(self._records)

    def requests(self, signal: str = "traces") -> list[ExportRecord]:
        return [r for r in self.records if r.signal == signal]

    @property
    def spans(self) -> list[Span]:
        """Spans from accepted trace exports, in arrival order."""
        with self._cond:
            return list(self._spans)

    def log_records(self) -> list[LogRecord]:
        """Log records from accepted log exports, in arrival order."""
        return [
            rec
            for r in self.requests("logs")
            if r.accepted and r.message is not None
            for rec in flatten_logs(r.message, r.transport)
        ]

    def wait_for_logs(self, count: int, timeout: float = 15.0) -> list[LogRecord]:
        """Wait until at least `count` log records arrived; return them all.
        AssertionError with what did arrive when `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(records := self.log_records()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{count} log records did not arrive within {timeout}s; received {len(records)}:\n"
                        + "\n".join(r.short() for r in records)
                    )
                self._cond.wait(min(left, 0.2))
        return records

    def clear(self) -> None:
        with self._cond:
            self._records.clear()
            self._spans.clear()

    def wait_for_spans(self, until: Until = 1, timeout: float = 15.0) -> list[Span]:
        """Wait until at least `until` spans arrived, or until the predicate
        `until(spans)` is true; return all spans. Raise AssertionError with
        what did arrive when `timeout` seconds pass first."""
        if isinstance(until, int):
            count = until

            def until(spans):
                return len(spans) >= count

        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                spans = list(self._spans)
                if until(spans):
                    return spans
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.2))
        raise AssertionError(
            f"spans did not arrive within {timeout}s; received {len(spans)}:\n"
            + format_spans(spans)
            + f"\nexport requests: {[(r.transport, r.signal, r.accepted) for r in self.records]}"
        )


def _make_http_handler(rx: OTLPReceiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real collector

        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def do_POST(self) -> None:
            signal = {
                "/v1/traces": "traces",
                "/v1/metrics": "metrics",
                "/v1/logs": "logs",
            }.get(self.path.split("?")[0])
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if signal is None:
                return self._reply(HTTPStatus.NOT_FOUND, b"unknown path", "text/plain")
            ctype = self.headers.get("Content-Type", "")
            encoding = self.headers.get("Content-Encoding", "")
            req_type, resp_type = _MESSAGES[signal]
            try:
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                message = _decode_body(body, ctype, req_type)
            except _DECODE_ERRORS as e:  # a malformed export is a failure to see
                rx._record(ExportRecord("http", signal, self._headers(), None, False, ctype, encoding))
                return self._reply(HTTPStatus.BAD_REQUEST, str(e).encode(), "text/plain")
            rx._hold()
            fault = rx._take_fault()
            rx._record(
                ExportRecord(
                    "http",
                    signal,
                    self._headers(),
                    message,
                    fault is None,
                    ctype,
                    encoding,
                )
            )
            if fault is not None:
                return self._reply(fault, b"injected fault", "text/plain")
            if "json" in ctype:
                return self._reply(HTTPStatus.OK, b"{}", "application/json")
            return self._reply(HTTPStatus.OK, resp_type().SerializeToString(), "application/x-protobuf")

        def _headers(self) -> dict[str, str]:
            return {k.lower(): v for k, v in self.headers.items()}

        def _reply(self, status: int, body: bytes, ctype: str) -> None:
            # The exporter may have given up (a stall test); that is no error here.
            with contextlib.suppress(ConnectionError):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

    return Handler


class _GrpcService:
    signal = ""

    def __init__(self, rx: OTLPReceiver):
        self.rx = rx

    def Export(self, request, context):
        rx = self.rx
        headers = {k.lower(): v for k, v in context.invocation_metadata()}
        rx._hold()
        fault = rx._take_fault()
        rx._record(ExportRecord("grpc", self.signal, headers, request, fault is None))
        if fault is not None:
            context.abort(
                _GRPC_CODE_FOR_HTTP.get(fault, grpc.StatusCode.UNAVAILABLE),
                "injected fault",
            )
        return _MESSAGES[self.signal][1]()


class _GrpcTraces(_GrpcService, trace_service_pb2_grpc.TraceServiceServicer):
    signal = "traces"


class _GrpcMetrics(_GrpcService, metrics_service_pb2_grpc.MetricsServiceServicer):
    signal = "metrics"


class _GrpcLogs(_GrpcService, logs_service_pb2_grpc.LogsServiceServicer):
    signal = "logs"


# --- looking at spans --------------------------------------------------------


def by_trace(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = defaultdict(list)
    for s in spans:
        out[s.trace_id].append(s)
    return dict(out)


def parent_of(spans: Iterable[Span], span: Span) -> Span | None:
    """The span's parent among `spans` (same trace), or None."""
    if not span.parent_span_id:
        return None
    for s in spans:
        if s.trace_id == span.trace_id and s.span_id == span.parent_span_id:
            return s
    return None


def children_of(spans: Iterable[Span], span: Span) -> list[Span]:
    return [s for s in spans if s.trace_id == span.trace_id and s.parent_span_id == span.span_id]


def matching(spans: Iterable[Span], **want: Any) -> list[Span]:
    """Spans whose fields equal `want`, e.g. matching(spans, kind="SERVER")."""
    return [s for s in spans if all(getattr(s, k) == v for k, v in want.items())]


def one(spans: Iterable[Span], **want: Any) -> Span:
    """The single span whose fields equal `want`; AssertionError otherwise."""
    spans = list(spans)
    found = matching(spans, **want)
    assert len(found) == 1, f"expected exactly one span with {want}, found {len(found)} among:\n" + format_spans(spans)
    return found[0]


def format_spans(spans: Iterable[Span]) -> str:
    """Spans as indented trees, one per trace, for assertion messages."""
    lines: list[str] = []

    def walk(members: list[Span], s: Span, depth: int) -> None:
        lines.append("  " * depth + s.short())
        for c in children_of(members, s):
            walk(members, c, depth + 1)

    for trace_id, members in by_trace(spans).items():
        ids = {s.span_id for s in members}
        lines.append(f"trace {trace_id}:")
        for root in (s for s in members if s.parent_span_id not in ids):
            walk(members, root, 1)
    return "\n".join(lines) if lines else "  (none)"


# --- looking at metrics ------------------------------------------------------


@dataclass(frozen=True)
class MetricPoint:
    """One data point of one metric as received. `kind` is "histogram",
    "exponential_histogram", "sum" or "gauge"; count/sum are set for
    histograms, value for sums and gauges."""

    name: str
    unit: str
    kind: str
    attributes: dict[str, Any]
    service_name: str
    scope_name: str
    start_ns: int
    time_ns: int
    temporality: str = ""  # "CUMULATIVE", "DELTA"; "" for gauges
    count: int | None = None
    sum: float | None = None
    value: float | int | None = None
    bounds: tuple[float, ...] = ()
    bucket_counts: tuple[int, ...] = ()

    def short(self) -> str:
        shown = self.count if self.count is not None else self.value
        return f"[{self.service_name}] {self.name} ({self.unit}, {self.kind}) {self.attributes} = {shown}"


def _point_fields(kind: str, data, p) -> dict[str, Any]:
    fields: dict[str, Any] = {"start_ns": p.start_time_unix_nano, "time_ns": p.time_unix_nano}
    if kind != "gauge":
        fields["temporality"] = metrics_pb2.AggregationTemporality.Name(data.aggregation_temporality).removeprefix(
            "AGGREGATION_TEMPORALITY_"
        )
    if kind in ("histogram", "exponential_histogram"):
        fields.update(count=p.count, sum=p.sum)
    if kind == "histogram":
        fields.update(bounds=tuple(p.explicit_bounds), bucket_counts=tuple(p.bucket_counts))
    if kind in ("sum", "gauge"):
        fields["value"] = p.as_int if p.WhichOneof("value") == "as_int" else p.as_double
    return fields


def flatten_metrics(request: metrics_service_pb2.ExportMetricsServiceRequest) -> list[MetricPoint]:
    """Flatten an ExportMetricsServiceRequest into MetricPoint records."""
    out = []
    for rm in request.resource_metrics:
        resource = attributes(rm.resource.attributes)
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                kind = m.WhichOneof("data")
                if kind is None:
                    continue
                data = getattr(m, kind)
                for p in data.data_points:
                    out.append(
                        MetricPoint(
                            name=m.name,
                            unit=m.unit,
                            kind=kind,
                            attributes=attributes(p.attributes),
                            service_name=str(resource.get("service.name", "")),
                            scope_name=sm.scope.name,
                            **_point_fields(kind, data, p),
                        )
                    )
    return out


def metric_points(rx: OTLPReceiver) -> list[MetricPoint]:
    """The points of every accepted metrics export, in arrival order."""
    return [
        p for r in rx.requests("metrics") if r.accepted and r.message is not None for p in flatten_metrics(r.message)
    ]


def latest_points(points: Iterable[MetricPoint]) -> list[MetricPoint]:
    """The newest point of each series (service, metric, attribute set): with
    cumulative temporality, the totals since the program started."""
    newest: dict[tuple, MetricPoint] = {}
    for p in points:
        key = (p.service_name, p.scope_name, p.name, tuple(sorted(p.attributes.items())))
        if key not in newest or p.time_ns >= newest[key].time_ns:
            newest[key] = p
    return list(newest.values())


def format_points(points: Iterable[MetricPoint]) -> str:
    """Points one per line, for assertion messages."""
    lines = [p.short() for p in sorted(points, key=lambda p: (p.service_name, p.name, str(p.attributes)))]
    return "\n".join(lines) if lines else "  (none)"


def series(points: list[MetricPoint], name: str, service: str) -> list[MetricPoint]:
    """The latest point of each series of metric `name` from `service`."""
    return [p for p in latest_points(points) if p.name == name and p.service_name == service]


def histogram(points: list[MetricPoint], name: str, service: str, attrs: dict, scope: str | None = None) -> MetricPoint:
    """The one series of histogram `name` from `service` (and `scope`) whose
    attribute set is exactly `attrs`."""
    found = [p for p in series(points, name, service) if p.attributes == attrs and scope in (None, p.scope_name)]
    assert len(found) == 1, f"no {name} series {attrs} from {service}; received:\n{format_points(points)}"
    p = found[0]
    assert (p.kind, p.unit, p.temporality) == ("histogram", "s", "CUMULATIVE"), p
    assert sum(p.bucket_counts) == p.count and p.sum > 0, p
    return p


def total(points: list[MetricPoint], name: str, service: str) -> int:
    return sum(p.count for p in series(points, name, service))
