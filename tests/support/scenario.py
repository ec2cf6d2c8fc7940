"""Driving a library's test program: build it at each end of its rule's
version range, send it its routes, and collect what each request produced.

A program under testdata/ pins the newest version of its library in go.mod
and the lowest in oldest.mod (with oldest.sum); `otel go build` builds each
(-modfile=oldest.mod for the lowest). Each route is requested once, in
order, and the spans of its request are those under its SERVER span.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from harness import check_build, otel_build, run_program
from otlp import OTLPReceiver, Span, children_of, format_spans

# The two ends of a rule's Version range: go.mod holds the newest, oldest.mod the lowest.
VARIANTS = {"newest": [], "lowest": ["-modfile=oldest.mod"]}


def build(app: Path, variant: str, out_dir: Path, *args: str) -> Path:
    binary = out_dir / f"{app.name}-{variant}"
    check_build(otel_build(app, *VARIANTS[variant], *args, "-o", str(binary), "."))
    return binary


def otel_env(rx: OTLPReceiver, service: str, **extra: str) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": rx.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "600000",  # metrics flushed at exit only
        "OTEL_SERVICE_NAME": service,
        **extra,
    }


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


@dataclass
class Request:
    path: str
    status: int
    server: Span
    spans: list[Span] = field(default_factory=list)  # every span below the SERVER span

    def client(self, name: str) -> Span:
        found = [s for s in self.spans if s.name == name and s.kind == "CLIENT"]
        assert len(found) == 1, f"{self.path}: expected one CLIENT span {name!r}:\n{self.tree()}"
        return found[0]

    def in_scope(self, scope: str) -> list[Span]:
        return [s for s in self.spans if s.scope_name == scope]

    def tree(self) -> str:
        return format_spans([self.server, *self.spans])


def serves(span: Span, path: str) -> bool:
    """span is the SERVER span of a request for path (current conventions'
    url.path, or http.target in a program's own older instrumentation)."""
    target = span.attributes.get("url.path") or str(span.attributes.get("http.target", "")).split("?")[0]
    return span.kind == "SERVER" and target == path


def descendants(spans: list[Span], span: Span) -> list[Span]:
    out = []
    for child in children_of(spans, span):
        out += [child, *descendants(spans, child)]
    return out


def drive(
    binary: Path,
    routes: list[tuple[str, int]],
    env: dict[str, str],
    rx: OTLPReceiver,
    output_dir: Path,
    before_stop=None,
):
    """Run binary, request each route once and check its status; return the
    requests by route once the program has stopped (and flushed).
    before_stop() runs once the routes are done, while the program runs."""
    requests: dict[str, Request] = {}
    with run_program(binary, env=env, output_dir=output_dir) as app:
        for path, status in routes:
            assert get(app.url + path) == status, f"{path}: {app.stderr}"
            url_path = path.split("?")[0]
            done = sum(r.split("?")[0] == url_path for r in requests) + 1
            # The SERVER span ends last: when it is in, so is the rest.
            spans = rx.wait_for_spans(lambda spans, p=url_path, n=done: sum(serves(s, p) for s in spans) >= n)
            server = [s for s in spans if serves(s, url_path)][-1]
            requests[path] = Request(path, status, server)
        if before_stop is not None:
            before_stop()
    for req in requests.values():
        req.spans = descendants(rx.spans, req.server)
    return requests


def check_client(span: Span, parent: Span, **attrs) -> None:
    """span is a CLIENT span under parent with (at least) attrs."""
    assert span.kind == "CLIENT"
    assert span.parent_span_id == parent.span_id, f"{span.short()} is not a child of {parent.short()}"
    assert span.trace_id == parent.trace_id
    got = {k: span.attributes.get(k) for k in attrs}
    assert got == attrs, span.attributes
