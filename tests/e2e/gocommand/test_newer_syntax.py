"""Go syntax newer than tree-sitter-go's grammar: Go 1.26's new(expr) reads
as an error to the grammar. A package using it is still instrumented as long
as what the splicer edits (package clause, imports, the signatures and the
braces of the functions it hooks) parsed; the compiler judges the rest."""

from __future__ import annotations

import subprocess

import harness
import pytest
from otlp import parent_of


@pytest.fixture(scope="module")
def build(tmp_path_factory, testdata):
    out = tmp_path_factory.mktemp("newsyntax") / "newsyntax"
    result = harness.check_build(harness.otel_build(testdata / "newsyntax", "-o", str(out), "."))
    return out, result.stderr


def test_packages_with_new_expr_are_instrumented(build):
    _, summary = build
    assert "not instrumented" not in summary, summary
    assert "example.com/newsyntax/stock (main module): span Level" in summary
    assert "  package main: main" in summary


def test_spans_arrive_through_the_flush_spliced_into_main(build, receiver):
    binary, _ = build
    # A long batch delay: only the flush at the end of main can deliver them.
    env = harness.clean_env(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "600000",
            "OTEL_METRICS_EXPORTER": "none",
        }
    )
    run = subprocess.run([str(binary)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "stock 40\n"
    spans = receiver.wait_for_spans(3, timeout=5)
    by_kind = {s.kind: s for s in spans}
    level = next(s for s in spans if s.name == "stock.Level")
    assert level.kind == "INTERNAL"
    assert parent_of(spans, level) == by_kind["SERVER"]
    assert parent_of(spans, by_kind["SERVER"]) == by_kind["CLIENT"]
