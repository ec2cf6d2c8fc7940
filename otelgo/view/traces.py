"""`otel view`: spans grouped into traces, traces decided finished, trees.

Pure Python on purpose: the receiver (receiver.py) turns OTLP into
`Span` records and the renderer (render.py) draws `Trace`s; neither
needs to know how the other works, and this module can be tested without
protobuf or a terminal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# A trace whose root span never comes (its caller is not instrumented, or it
# sent a traceparent of its own) is still shown, after this much extra
# silence: the Go SDK's batch processor exports every 5 s by default, so a
# parent that ended a little later may still be on its way.
ORPHAN_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Span:
    """One received span; ids in lowercase hex, enums as short names."""

    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a root span
    name: str
    kind: str  # "SERVER", "CLIENT", "INTERNAL", "PRODUCER", "CONSUMER", "UNSPECIFIED"
    service: str
    start_ns: int
    end_ns: int
    status_code: str = "UNSET"  # "UNSET", "OK", "ERROR"
    status_message: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    @property
    def is_error(self) -> bool:
        return self.status_code == "ERROR"


@dataclass
class Node:
    """A span in its trace's tree. `orphan`: its parent was not received."""

    span: Span
    children: list[Node] = field(default_factory=list)
    orphan: bool = False


@dataclass(frozen=True)
class Trace:
    trace_id: str
    spans: tuple[Span, ...]

    @property
    def start_ns(self) -> int:
        return min(s.start_ns for s in self.spans)

    @property
    def end_ns(self) -> int:
        return max(s.end_ns for s in self.spans)

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    def roots(self) -> list[Node]:
        """The trace as trees: true roots and orphans, by start time."""
        return build_tree(self.spans)

    def root_span(self) -> Span:
        """The span that names the trace: its earliest root, else its
        earliest span."""
        roots = [s for s in self.spans if not s.parent_span_id]
        return min(roots or self.spans, key=lambda s: (s.start_ns, s.span_id))


def build_tree(spans: Iterable[Span]) -> list[Node]:
    nodes = {s.span_id: Node(s) for s in spans}
    tops: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.span.parent_span_id) if node.span.parent_span_id else None
        # A span listing itself as parent would make a cycle; treat it as an orphan.
        if parent is None or parent is node:
            node.orphan = bool(node.span.parent_span_id)
            tops.append(node)
        else:
            parent.children.append(node)
    _sort(tops)
    return tops


def _sort(nodes: list[Node]) -> None:
    nodes.sort(key=lambda n: (n.span.start_ns, n.span.span_id))
    for n in nodes:
        _sort(n.children)


# --- finishing traces ---------------------------------------------------------


@dataclass
class _Pending:
    spans: dict[str, Span] = field(default_factory=dict)
    last_seen: float = 0.0
    has_root: bool = False


class TraceAssembler:
    """Groups spans by trace as they arrive (from any thread) and hands out
    traces once finished: their root span arrived and nothing of them came
    for `idle` seconds (without a root: for `idle` + ORPHAN_GRACE_SECONDS)."""

    def __init__(self, idle: float, clock: Callable[[], float] = time.monotonic):
        self.idle = idle
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._cond = threading.Condition()

    def add(self, spans: Iterable[Span]) -> None:
        with self._cond:
            now = self._clock()
            for s in spans:
                p = self._pending.setdefault(s.trace_id, _Pending())
                p.spans[s.span_id] = s  # a re-sent span replaces the old copy
                p.last_seen = now
                p.has_root |= not s.parent_span_id
            self._cond.notify_all()

    def take_finished(self) -> list[Trace]:
        with self._cond:
            now = self._clock()
            done = [t for t, p in self._pending.items() if now >= self._deadline(p)]
            return self._pop(done)

    def take_all(self) -> list[Trace]:
        """Every pending trace, finished or not (the viewer is stopping)."""
        with self._cond:
            return self._pop(list(self._pending))

    def wait(self, timeout: float) -> None:
        """Sleep until the next trace may be finished, a span arrives, or
        `timeout` passes."""
        with self._cond:
            now = self._clock()
            deadlines = [self._deadline(p) for p in self._pending.values()]
            until_next = min(deadlines, default=now + timeout) - now
            self._cond.wait(max(0.0, min(timeout, until_next)))

    def quiet_for(self) -> float:
        """Seconds since the last span arrived (infinite when none pending)."""
        with self._cond:
            if not self._pending:
                return float("inf")
            return self._clock() - max(p.last_seen for p in self._pending.values())

    def _deadline(self, p: _Pending) -> float:
        return p.last_seen + self.idle + (0.0 if p.has_root else ORPHAN_GRACE_SECONDS)

    def _pop(self, trace_ids: list[str]) -> list[Trace]:
        out = [Trace(t, tuple(self._pending.pop(t).spans.values())) for t in trace_ids]
        return sorted(out, key=lambda t: t.start_ns)


# --- JSON ------------------------------------------------------------------------


def trace_to_json(trace: Trace) -> dict[str, Any]:
    """The trace as one JSON object: a summary and the span trees."""
    root = trace.root_span()
    return {
        "trace_id": trace.trace_id,
        "service": root.service,
        "name": root.name,
        "start_unix_nano": trace.start_ns,
        "duration_ns": trace.duration_ns,
        "span_count": len(trace.spans),
        "error": any(s.is_error for s in trace.spans),
        "spans": [_node_to_json(n) for n in trace.roots()],
    }


def _node_to_json(node: Node) -> dict[str, Any]:
    s = node.span
    return {
        "span_id": s.span_id,
        "parent_span_id": s.parent_span_id,
        "name": s.name,
        "kind": s.kind,
        "service": s.service,
        "start_unix_nano": s.start_ns,
        "end_unix_nano": s.end_ns,
        "duration_ns": s.duration_ns,
        "status": s.status_code,
        "status_message": s.status_message,
        "error": s.is_error,
        "orphan": node.orphan,
        "attributes": {k: _jsonable(v) for k, v in s.attributes.items()},
        "children": [_node_to_json(c) for c in node.children],
    }


def _jsonable(value: Any) -> Any:
    # OTLP bytes values have no JSON form; hex is what OTLP/JSON uses for ids.
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
