"""`otel view`: a finished trace drawn as a waterfall tree with rich.

    trace 7131901720be12a9693723353ababe26  hello  GET  6.57ms  2 spans
    GET                        client    6.57ms ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
    │   GET http://127.0.0.1:44781/hello/gopher  status=200
    └─ GET /hello/{name}       server     126µs                            ╺
         GET /hello/gopher  route=/hello/{name}  status=200

One line per span (tree, service where it changes, name, kind, duration,
its bar on the trace's timeline) and under it a dim line of the attributes
that say what the span did. Errors are red and marked with ✗, so they show
without colours too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from otelgo.view.traces import Node, Span, Trace

KIND_WIDTH = 8  # "internal", "producer", "consumer"
DURATION_WIDTH = 8  # "999.99ms" at most, see format_duration
MIN_BAR, MAX_BAR = 10, 60
MIN_LABEL, MAX_LABEL = 20, 60
QUERY_CHARS = 60  # db.query.text is shortened to this many characters
SERVICE_COLORS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan", "bright_magenta", "bright_green")
ERROR = "bold red"


def format_duration(ns: int) -> str:
    """Three significant digits, at most 8 characters: 126µs, 6.57ms, 12.3s,
    2m05s, 3h07m."""
    if ns < 1_000:
        return f"{ns}ns"
    for unit, scale in (("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        value = ns / scale
        if value < (59.95 if unit == "s" else 999.5):
            return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"
    minutes, seconds = divmod(round(ns / 1e9), 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours < 100 else f"{hours // 24}d{hours % 24:02d}h"


def render_trace(trace: Trace, width: int) -> Group:
    """The trace's header and its span lines, none wider than `width`."""
    rows = list(_rows(trace.roots(), trace.root_span().service))
    layout = _Layout.fit(width, max(r.label_width for r in rows))
    colors = _service_colors(trace)
    lines = [_header(trace, colors, width)]
    for row in rows:
        lines += row.render(trace, layout, colors)
    return Group(*lines)


# --- layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    width: int
    label: int
    bar: int

    @classmethod
    def fit(cls, width: int, widest_label: int) -> _Layout:
        # The label column takes what it needs as long as the timeline keeps
        # two fifths of the room; the timeline gets the rest, up to MAX_BAR.
        room = width - KIND_WIDTH - DURATION_WIDTH - 3  # three separating spaces
        label = _clamp(widest_label, MIN_LABEL, min(MAX_LABEL, room - max(MIN_BAR, room * 2 // 5)))
        bar = _clamp(room - label, MIN_BAR, MAX_BAR)
        return cls(width, label, bar)


def _service_colors(trace: Trace) -> dict[str, str]:
    services = dict.fromkeys(s.service for s in sorted(trace.spans, key=lambda s: s.start_ns))
    return {svc: SERVICE_COLORS[i % len(SERVICE_COLORS)] for i, svc in enumerate(services)}


def _header(trace: Trace, colors: dict[str, str], width: int) -> Text:
    root = trace.root_span()
    errors = sum(s.is_error for s in trace.spans)
    n = len(trace.spans)
    text = Text.assemble(
        ("trace ", "dim"),
        (trace.trace_id, "bold"),
        "  ",
        (root.service, f"bold {colors[root.service]}"),
        "  ",
        (format_duration(trace.duration_ns), "bold"),
        "  ",
        (f"{n} span{'s' * (n != 1)}", "dim"),
    )
    if errors:
        text.append(f"  ✗ {errors} error{'s' * (errors != 1)}", ERROR)
    text.truncate(width, overflow="ellipsis")
    return text


# --- one span: its tree line and its attribute line ---------------------------------


@dataclass(frozen=True)
class _Row:
    node: Node
    guide: str  # tree guides before the name: "│  ├─ "
    detail_guide: str  # the guides for the line under it
    parent_service: str | None

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def service_label(self) -> str:
        # A service is named where the trace enters it, not on every span.
        return f"{self.span.service} " if self.span.service != self.parent_service else ""

    @property
    def label_width(self) -> int:
        return cell_len(self.guide + self.service_label + self.span.name) + 2 * self.span.is_error

    def render(self, trace: Trace, layout: _Layout, colors: dict[str, str]) -> list[Text]:
        return [self._main_line(trace, layout, colors), *self._detail_lines(layout.width)]

    def _main_line(self, trace: Trace, layout: _Layout, colors: dict[str, str]) -> Text:
        span = self.span
        name_style = ERROR if span.is_error else ""
        label = Text.assemble((self.guide, "dim"))
        if self.service_label:
            label.append(self.service_label, f"bold {colors[span.service]}")
        if span.is_error:
            label.append("✗ ", ERROR)
        label.append(span.name, name_style)
        label.truncate(layout.label, overflow="ellipsis", pad=True)
        kind = span.kind.lower() if span.kind != "UNSPECIFIED" else ""
        line = Text.assemble(
            label,
            " ",
            (kind.ljust(KIND_WIDTH), "dim"),
            " ",
            (format_duration(span.duration_ns).rjust(DURATION_WIDTH), name_style),
            " ",
            (timeline_bar(span, trace, layout.bar), ERROR if span.is_error else colors[span.service]),
        )
        line.truncate(layout.width, overflow="ellipsis")
        return line

    def _detail_lines(self, width: int) -> list[Text]:
        """The key attributes, wrapped between whole attributes rather than
        cut off: an error at the end of a long line must stay visible."""
        parts = list(key_attributes(self.span))
        if self.node.orphan:
            parts.insert(0, Text(f"orphan: parent {self.span.parent_span_id} not received", "yellow"))
        room = max(1, width - cell_len(self.detail_guide))
        lines: list[Text] = []
        for part in parts:
            part.truncate(room, overflow="ellipsis")
            if lines and lines[-1].cell_len + 2 + part.cell_len <= room:
                lines[-1].append("  ").append_text(part)
            else:
                lines.append(part)
        return [Text.assemble((self.detail_guide, "dim"), line) for line in lines]


def _rows(roots: list[Node], trace_service: str) -> Iterator[_Row]:
    # The header names the trace's service; top-level spans name theirs
    # only when it is another one (an orphan from elsewhere).
    for node in roots:
        yield from _walk(node, "", "", trace_service)


def _walk(node: Node, guide: str, below: str, parent_service: str | None) -> Iterator[_Row]:
    # `guide` is drawn before this span's name; `below` before everything
    # under it (its detail line and its children's guides).
    detail_guide = below + ("│  " if node.children else "   ")
    yield _Row(node, guide, detail_guide, parent_service)
    for i, child in enumerate(node.children):
        last = i == len(node.children) - 1
        yield from _walk(
            child, below + ("└─ " if last else "├─ "), below + ("   " if last else "│  "), node.span.service
        )


# --- the waterfall bar -------------------------------------------------------------------


def timeline_bar(span: Span, trace: Trace, width: int) -> str:
    """The span's place on the trace's timeline, `width` cells of half-cell
    precision: ━ a whole cell, ╸ its left half, ╺ its right half."""
    total = max(1, trace.duration_ns)
    halves = 2 * width
    begin = _clamp(int((span.start_ns - trace.start_ns) / total * halves), 0, halves - 1)
    end = _clamp(round((span.end_ns - trace.start_ns) / total * halves), begin + 1, halves)
    cells = []
    for i in range(width):
        left, right = begin <= 2 * i < end, begin <= 2 * i + 1 < end
        cells.append("━" if left and right else "╸" if left else "╺" if right else " ")
    return "".join(cells).rstrip()


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, v))


# --- what a span did -------------------------------------------------------------------------


def key_attributes(span: Span) -> Iterator[Text]:
    """The attributes that say what the span did, shortest form first."""
    a = span.attributes
    method, url = a.get("http.request.method"), a.get("url.full") or a.get("url.path")
    if method or url:
        yield Text(" ".join(str(x) for x in (method, url) if x))
    yield from _pairs(a, ("route", "http.route"), ("status", "http.response.status_code"), ("db", "db.system.name"))
    if "db.query.text" in a:
        yield _pair("query", shorten(str(a["db.query.text"]), QUERY_CHARS))
    if "rpc.method" in a:
        service = a.get("rpc.service")
        yield _pair("rpc", f"{service}/{a['rpc.method']}" if service else a["rpc.method"])
    if "server.address" in a and "url.full" not in a:  # a full URL names the server already
        port = a.get("server.port")
        yield _pair("server", f"{a['server.address']}:{port}" if port else a["server.address"])
    if "error.type" in a:
        yield _pair("error", a["error.type"], ERROR)
    if span.is_error and span.status_message:
        yield Text(span.status_message, ERROR)


def _pairs(a: dict[str, Any], *wanted: tuple[str, str]) -> Iterator[Text]:
    for label, key in wanted:
        if key in a:
            yield _pair(label, a[key])


def _pair(label: str, value: Any, style: str = "") -> Text:
    return Text.assemble((f"{label}=", "dim"), (str(value), style))


def shorten(text: str, limit: int) -> str:
    """Whitespace collapsed (queries span lines), cut to `limit` with …."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
