"""Controlling what is instrumented, in source and at run time, on one
program (testdata/control) built once:

- //otel:ignore on a function, a file and a package: no hook in that code,
  and what it calls (the net/http client, a //otel:span function, a
  goroutine it starts) is not traced: the TARGET_URL server sees no
  traceparent from there, and no span arrives; a rule on ignored code is
  left out, and the summary and --explain say so; //otel:span on ignored
  code is an error;
- OTEL_GO_ENABLED_INSTRUMENTATIONS (an allowlist),
  OTEL_GO_DISABLED_INSTRUMENTATIONS (with the standard library's spelling,
  net/http), and an unknown name, which is reported on one line at start;
- OTEL_GO_HTTP_SERVER_EXCLUDED_PATHS: an excluded request has no span, and
  what its handler calls is not traced.
"""

from __future__ import annotations

import shutil
import urllib.request
from dataclasses import dataclass

import harness
import pytest

MODULE = harness.TESTDATA / "control"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("control") / "control"
    result = harness.check_build(harness.otel_build(MODULE, "--explain", "--rules", "rules.json", "-o", str(out), "."))
    return out, result


@dataclass
class Run:
    spans: list
    requests: dict[str, dict[str, str]]  # path the target was asked for -> its headers
    stderr: str


def run(binary, receiver, path="/work", env=None) -> Run:
    """One request to the program; it is stopped (and flushes) before the
    spans are read, so a span missing here was never made."""
    with harness.TargetServer() as target:
        with harness.run_program(
            binary,
            env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                "OTEL_METRICS_EXPORTER": "none",
                "TARGET_URL": target.url,
                **(env or {}),
            },
        ) as prog:
            with urllib.request.urlopen(prog.url + path, timeout=30) as resp:
                assert resp.status == 200
        requests = {r.path: r.headers for r in target.requests}
    return Run(receiver.spans, requests, prog.stderr)


def traced(run: Run) -> set[str]:
    """The paths the target was asked for with a traceparent header: the
    net/http client hook ran for them."""
    return {path for path, headers in run.requests.items() if "traceparent" in headers}


ASKED = {"/price/book", "/audit", "/price/audited", "/audit-async", "/ping", "/probe", "/after"}


def test_ignored_code_calls_are_not_traced(built, receiver):
    r = run(built[0], receiver)
    assert set(r.requests) == ASKED  # every call was made
    assert traced(r) == {"/price/book", "/after"}
    names = sorted((s.kind, s.name) for s in r.spans)
    assert names == [("CLIENT", "GET"), ("CLIENT", "GET"), ("INTERNAL", "main.priced"), ("SERVER", "GET /work")]
    server = next(s for s in r.spans if s.kind == "SERVER")
    priced = next(s for s in r.spans if s.name == "main.priced")
    clients = [s for s in r.spans if s.kind == "CLIENT"]
    assert priced.parent_span_id == server.span_id
    assert {s.attributes["url.full"].rsplit("/", 1)[-1] for s in clients} == {"book", "after"}
    assert {s.parent_span_id for s in clients} == {priced.span_id, server.span_id}


def test_summary_and_explain_say_what_was_ignored(built):
    stderr = built[1].stderr
    assert "ignored example.com/control/quiet: every function (//otel:ignore in the package comment, quiet.go:3)" in (
        stderr
    )
    assert "ignored package main: every function of probe.go (//otel:ignore at probe.go:3)" in stderr
    assert "ignored package main: audit (main.go:44)" in stderr
    assert "rule control-audit-span left out: its target is in code //otel:ignore (main.go:44) leaves out" in stderr
    assert "rule control-ping-span left out: its target is in code //otel:ignore (quiet.go:3) leaves out" in stderr
    # --explain: the rules, then what the comments leave out.
    assert "control-audit-span: left out: span audit is in code that //otel:ignore (main.go:44) leaves out" in stderr
    explain = stderr.split("otel: //otel:ignore", 1)[1]
    assert "package main: audit (main.go:44)" in explain.split("otel: instrumented")[0]
    # Ignored code is not listed as instrumented.
    assert "package main: main, span priced\n" in stderr


def test_span_comment_on_ignored_code_is_an_error(tmp_path):
    module = tmp_path / "control"
    shutil.copytree(MODULE, module)
    main = module / "main.go"
    main.write_text(main.read_text().replace("//otel:ignore\nfunc audit", "//otel:ignore\n//otel:span\nfunc audit"))
    result = harness.otel_build(module, "-o", str(tmp_path / "control-bin"), ".")
    assert result.returncode == 2, result.stderr
    lines = main.read_text().splitlines()
    ignore, func = lines.index("//otel:ignore") + 1, lines.index("func audit(ctx context.Context) {") + 1
    assert (
        f"otel: {main}:{func}: //otel:span on audit, which //otel:ignore ({main}:{ignore}) leaves out: "
        "remove one of the two"
    ) in result.stderr
    assert not (tmp_path / "control-bin").exists()


def test_allowlist_keeps_only_the_named_instrumentations(built, receiver):
    r = run(built[0], receiver, env={"OTEL_GO_ENABLED_INSTRUMENTATIONS": "NetHTTP"})
    assert sorted(s.kind for s in r.spans) == ["CLIENT", "CLIENT", "SERVER"]  # no //otel:span span
    assert traced(r) == {"/price/book", "/after"}
    assert "otelgo:" not in r.stderr


def test_disable_list_with_the_standard_librarys_spelling(built, receiver):
    r = run(built[0], receiver, env={"OTEL_GO_DISABLED_INSTRUMENTATIONS": "net/http"})
    assert [(s.kind, s.name) for s in r.spans] == [("INTERNAL", "main.priced")]
    assert traced(r) == set()


def test_unknown_instrumentation_name_is_reported_once_at_start(built, receiver):
    r = run(
        built[0],
        receiver,
        env={"OTEL_GO_DISABLED_INSTRUMENTATIONS": "nethtp", "OTELGO_DISABLED_INSTRUMENTATIONS": "annotate"},
    )
    lines = [line for line in r.stderr.splitlines() if line.startswith("otelgo:")]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(
        "otelgo: unknown instrumentation names: OTEL_GO_DISABLED_INSTRUMENTATIONS=nethtp (known: "
    )
    assert "nethttp" in lines[0] and "databasesql" in lines[0] and "goredis" in lines[0]
    # The known name in the older variable still works; the unknown one switches nothing.
    assert sorted(s.kind for s in r.spans) == ["CLIENT", "CLIENT", "SERVER"]


def test_excluded_path_is_not_traced(built, receiver):
    env = {"OTEL_GO_HTTP_SERVER_EXCLUDED_PATHS": "/metrics, /health*"}
    r = run(built[0], receiver, path="/healthz", env=env)
    assert set(r.requests) == {"/health-dep"}
    assert traced(r) == set()
    assert r.spans == []
    receiver.clear()
    r = run(built[0], receiver, path="/work", env=env)
    assert traced(r) == {"/price/book", "/after"}
    assert any(s.kind == "SERVER" and s.name == "GET /work" for s in r.spans)


def test_baggage_propagates_across_two_processes_by_default(built, httpchain_otel, receiver):
    """W3C baggage, with trace context, from a request to httpchain's
    frontend, through it to control's /work (both built by otelgo, each its
    own process), and from there to the target: OTEL_PROPAGATORS' default is
    tracecontext,baggage; with tracecontext alone, baggage stops at the
    frontend."""
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01", "baggage": "user.id=alice,tenant=acme"}
    for propagators, want in ((None, "user.id=alice,tenant=acme"), ("tracecontext", None)):
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        if propagators:
            env["OTEL_PROPAGATORS"] = propagators
        with harness.TargetServer() as target:
            control_env = {**env, "TARGET_URL": target.url, "OTEL_SERVICE_NAME": "control"}
            with harness.run_program(built[0], env=control_env) as control:
                with harness.run_program(httpchain_otel["frontend"], env={**env, "BACKEND_URL": control.url}) as front:
                    request = urllib.request.Request(front.url + "/hello/gopher", headers=headers)
                    with urllib.request.urlopen(request, timeout=30) as resp:
                        assert resp.status == 200
            got = {r.path: r.headers for r in target.requests}
        for path in ("/price/book", "/after"):  # the traced calls
            assert got[path]["traceparent"].split("-")[1] == trace_id
            assert _baggage(got[path].get("baggage")) == _baggage(want), (propagators, got[path])
        spans = receiver.spans
        assert {s.service_name for s in spans} >= {"frontend", "control"}
        assert {s.trace_id for s in spans} == {trace_id}
        receiver.clear()


def _baggage(header: str | None) -> set[str] | None:
    return None if header is None else {member.strip() for member in header.split(",")}
