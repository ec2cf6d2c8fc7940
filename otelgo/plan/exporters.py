"""--exporters (or `exporters` in otelgo.toml): which exporters the SDK
bootstrap links. OTLP over http/protobuf is part of the bootstrap and
always linked; OTLP over gRPC joins the programs that use gRPC themselves
(it costs them little) and the others on request; console and Prometheus
only on request: their code and modules would otherwise weigh on every
build and binary, and Prometheus' could require newer modules than the
program has.
OTEL_*_EXPORTER still chooses among the linked ones at run time; one naming
an exporter the build left out gets one line at start saying how to link
it (rules/sdk/wanted.go)."""

from __future__ import annotations

import difflib
from collections.abc import Collection

from otelgo.hookapi import DEFAULT_EXPORTERS, EXPORTERS, LINKED_WITH


class ExporterError(Exception):
    pass


def chosen(names: list[str]) -> tuple[str, ...]:
    """The exporters a build links into every program: those named (the
    default when none are), plus the ones always linked, in a stable order."""
    unknown = [n for n in names if n not in EXPORTERS]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, list(EXPORTERS), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ExporterError(
            f"--exporters: unknown exporter {name!r}{hint} (otelgo links these: {', '.join(EXPORTERS)})"
        )
    return ordered(set(names or DEFAULT_EXPORTERS) | set(DEFAULT_EXPORTERS))


def with_users(names: tuple[str, ...], present: Collection[str]) -> tuple[str, ...]:
    """names, and the exporters that join where what LINKED_WITH names for
    them is present: in a build list's modules (those a program of the build
    may link), or in a program's imports (those that program links)."""
    return tuple(n for n in EXPORTERS if n in names or LINKED_WITH.get(n) in present)


# The OTLP exporters' configuration imports gRPC, even over http/protobuf,
# and gRPC imports golang.org/x/net/trace for grpc.EnableTracing unless
# built with this tag. x/net/trace adds /debug/requests and /debug/events
# to http.DefaultServeMux, and its html/template pages look methods up by
# name, which makes the linker keep every exported method of every type in
# the binary. A program that does not use gRPC itself gets none of that.
_GRPC = LINKED_WITH["otlp-grpc"]
_GRPC_NO_TRACE = "grpcnotrace"


def build_tags(user_packages: Collection[str]) -> tuple[str, ...]:
    """The build tags otelgo adds to a build whose own packages, with
    their dependencies, are user_packages."""
    return () if _GRPC in user_packages else (_GRPC_NO_TRACE,)


def ordered(names: Collection[str]) -> tuple[str, ...]:
    return tuple(n for n in EXPORTERS if n in names)


def packages(exporters: tuple[str, ...]) -> set[str]:
    """The hook packages these exporters add to the bootstrap."""
    return {p for name in exporters for p in EXPORTERS[name]}


def optional_packages() -> set[str]:
    """Every hook package an exporter may add."""
    return {p for pkgs in EXPORTERS.values() for p in pkgs}
