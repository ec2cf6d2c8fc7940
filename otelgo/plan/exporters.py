"""--exporters (or `exporters` in otelgo.toml): which exporters the SDK
bootstrap links. OTLP and console are part of the bootstrap and always
linked; the others (Prometheus) join a build only when named, since their
code and modules would otherwise weigh on every binary and could require
newer modules than the program has. OTEL_*_EXPORTER still chooses among
the linked ones at run time; one naming an exporter the build left out
gets one line at start saying how to link it."""

from __future__ import annotations

import difflib

from otelgo.hookapi import DEFAULT_EXPORTERS, EXPORTERS


class ExporterError(Exception):
    pass


def chosen(names: list[str]) -> tuple[str, ...]:
    """The exporters a build links: those named (the default when none
    are), plus the ones always linked, in a stable order."""
    unknown = [n for n in names if n not in EXPORTERS]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, list(EXPORTERS), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ExporterError(
            f"--exporters: unknown exporter {name!r}{hint} (otelgo links these: {', '.join(EXPORTERS)})"
        )
    wanted = set(names or DEFAULT_EXPORTERS) | set(DEFAULT_EXPORTERS)
    return tuple(n for n in EXPORTERS if n in wanted)


def packages(exporters: tuple[str, ...]) -> set[str]:
    """The hook packages these exporters add to the bootstrap."""
    return {p for name in exporters for p in EXPORTERS[name]}


def optional_packages() -> set[str]:
    """Every hook package an exporter may add."""
    return {p for pkgs in EXPORTERS.values() for p in pkgs}
