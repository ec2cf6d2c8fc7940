"""--exporters: which exporters the SDK bootstrap links."""

from __future__ import annotations

import pytest

from otelgo.hookapi import SDK_CONSOLE, SDK_LOGS_CONSOLE, SDK_LOGS_OTLPGRPC, SDK_OTLPGRPC, SDK_PROMETHEUS
from otelgo.plan import exporters, otelsets


def test_default_links_otlp_only():
    assert exporters.chosen([]) == ("otlp",)
    assert exporters.packages(exporters.chosen([])) == set()
    base = otelsets.base_packages(exporters.packages(exporters.chosen([])))
    assert not {SDK_PROMETHEUS, SDK_CONSOLE, SDK_LOGS_CONSOLE} & set(base)


def test_console_joins_when_named_with_its_log_part():
    linked = exporters.chosen(["otlp", "console"])
    assert linked == ("otlp", "console")
    base = otelsets.base_packages(exporters.packages(linked))
    assert base[SDK_CONSOLE] is None and base[SDK_LOGS_CONSOLE] == "[1.28.0,)"


def test_prometheus_joins_when_named_and_the_bootstrap_exporters_stay():
    linked = exporters.chosen(["prometheus"])
    assert linked == ("otlp", "prometheus")
    assert SDK_PROMETHEUS in otelsets.base_packages(exporters.packages(linked))


def test_unknown_name_is_refused_with_the_closest_one():
    with pytest.raises(exporters.ExporterError, match=r"unknown exporter 'promethus'; did you mean prometheus\?"):
        exporters.chosen(["otlp", "promethus"])
    with pytest.raises(exporters.ExporterError, match=r"otelgo links these: otlp, otlp-grpc, console, prometheus"):
        exporters.chosen(["zipkin"])


def test_otlp_grpc_joins_programs_that_use_grpc_and_others_on_request():
    default = exporters.chosen([])
    # A build whose modules have gRPC may link it; a program importing gRPC does.
    assert exporters.with_users(default, {"google.golang.org/grpc": "v1.64.0"}) == ("otlp", "otlp-grpc")
    assert exporters.with_users(default, {}) == default
    assert exporters.with_users(default, {"net/http", "google.golang.org/grpc"}) == ("otlp", "otlp-grpc")
    assert exporters.with_users(default, {"net/http", "google.golang.org/grpc/codes"}) == default
    asked = exporters.chosen(["otlp", "otlp-grpc"])
    assert exporters.with_users(asked, set()) == ("otlp", "otlp-grpc")
    assert exporters.packages(asked) == {SDK_OTLPGRPC, SDK_LOGS_OTLPGRPC}
