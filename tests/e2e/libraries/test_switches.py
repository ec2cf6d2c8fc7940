"""Run-time switches: OTEL_SDK_DISABLED=true turns every hook off and
OTELGO_DISABLED_INSTRUMENTATIONS the hook packages it names, in a binary
built once. The spliced code tests the switch before it does anything, so a
hook that is off does not run at all: no span, no output, no replaced
parameter."""

from __future__ import annotations

import subprocess
import urllib.request

import harness
import pytest


@pytest.fixture(scope="module")
def annotated(tmp_path_factory, testdata):
    return harness.build_program(tmp_path_factory.mktemp("switches"), testdata / "annotated")


@pytest.fixture(scope="module")
def tricky(tmp_path_factory, testdata):
    module = testdata / "tricky"
    return harness.build_program(tmp_path_factory.mktemp("switches"), module, "--rules", str(module / "rules.json"))


def spans_of_one_request(binary, receiver, env=None) -> list:
    """Every span the program exported: it is stopped (and flushes) before
    the spans are read, so a span missing here was never made."""
    with harness.run_program(
        binary,
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100", **(env or {})},
    ) as prog:
        with urllib.request.urlopen(f"{prog.url}/buy/book", timeout=30) as resp:
            assert resp.status == 200
    return receiver.spans


def names(spans) -> set[str]:
    return {s.name for s in spans}


def test_all_hooks_on_by_default(annotated, receiver):
    assert names(spans_of_one_request(annotated, receiver)) == {
        "GET /buy/{item}",
        "shop.Cart.Add",
        "quote",
        "shop.count",
    }


def test_one_instrumentation_switched_off_by_name(annotated, receiver):
    spans = spans_of_one_request(annotated, receiver, {"OTELGO_DISABLED_INSTRUMENTATIONS": "nethttp"})
    assert names(spans) == {"shop.Cart.Add", "quote", "shop.count"}  # no server span
    assert all(s.kind == "INTERNAL" for s in spans)


def test_span_comments_switched_off_by_import_path(annotated, receiver):
    spans = spans_of_one_request(
        annotated, receiver, {"OTELGO_DISABLED_INSTRUMENTATIONS": " otelgo.dev/rules/annotate , other"}
    )
    assert names(spans) == {"GET /buy/{item}"}


def test_function_hooks_do_not_run_when_switched_off(tricky):
    def run(env):
        return subprocess.run(
            [str(tricky)],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none", **env}),
        )

    on = run({})
    assert on.returncode == 0, on.stderr
    assert "hook: Scale enter recv={1 2} k=2" in on.stdout.splitlines() and "Scale {20 40}" in on.stdout
    for env in ({"OTEL_SDK_DISABLED": "true"}, {"OTELGO_DISABLED_INSTRUMENTATIONS": "hooks"}):
        off = run(env)
        assert "hook:" not in off.stdout, off.stdout
        assert "Map [#1 #2]" in off.stdout.splitlines()
        assert "Scale {2 4}" in off.stdout.splitlines()  # the parameter the hook replaces is left alone
        # The hook that skips Expensive (it panics when its body runs) is off too.
        assert off.returncode == 2 and "panic: Expensive must not run: the hook skips it" in off.stderr
