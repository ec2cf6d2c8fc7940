"""Which metrics the programs of a build export, for the build summary: the
instruments each built-in hook package records, named as the semantic
conventions name them, and the Go runtime's metrics that the SDK bootstrap
(otelgo.dev/rules/sdk) starts in every program."""

from __future__ import annotations

from otelgo.match import MAIN

SDK = "otelgo.dev/rules/sdk"

# hook package (a rule's Path) -> (what it instruments, its instruments)
INSTRUMENTS: dict[str, tuple[str, str]] = {
    "otelgo.dev/rules/nethttp": ("net/http", "http.server.request.duration, http.client.request.duration"),
    "otelgo.dev/rules/databasesql": ("database/sql", "db.client.operation.duration"),
    "otelgo.dev/rules/goredis": ("go-redis", "db.client.operation.duration"),
    "otelgo.dev/rules/redigo": ("redigo", "db.client.operation.duration"),
    "otelgo.dev/rules/grpc": ("grpc", "rpc.server.call.duration, rpc.client.call.duration"),
    SDK: ("Go runtime", "go.goroutine.count, go.memory.*, go.config.gogc, go.processor.limit"),
}


def metric_sources(plan, applied: dict[str, list]) -> list[tuple[str, str]]:
    """(source, instruments) for each hook package with metrics that rules
    applied to the programs' own packages bring in (grpc, say, is in every
    program through the OTLP/gRPC exporters, but records metrics only for the
    program's own servers and clients); none when the build makes no program."""
    if not plan.commands:
        return []
    own = {MAIN} | {d for p in plan.packages if p.import_path in plan.commands for d in p.deps}
    # Function rules have hook packages; struct, file and raw rules none.
    paths = {getattr(rule, "Path", None) for key, rules in applied.items() if key in own for rule in rules}
    return [sources for path, sources in INSTRUMENTS.items() if path in paths]


def metrics_line(plan, applied: dict[str, list]) -> str | None:
    """The summary's line about metrics, or None."""
    sources = metric_sources(plan, applied)
    if not sources:
        return None
    listed = "; ".join(f"{instruments} ({source})" for source, instruments in sources)
    return f"metrics: {listed}; off with OTEL_METRICS_EXPORTER=none"
