"""Version drift. A user module that already requires a newer OpenTelemetry
(v1.47.0) than otelgo's hooks need (v1.41.0) is built with the user's
version, and its spans still arrive. A rule whose Version range excludes the
library's version is skipped, with a note in the build summary, and the
build succeeds."""

from __future__ import annotations

import json
import shutil
import subprocess

import harness
import pytest
from otlp import one, parent_of

RELIABILITY = harness.TESTDATA / "reliability"
NEWOTEL = RELIABILITY / "newotel"
NEWOTELLOGS = RELIABILITY / "newotellogs"
APP = RELIABILITY / "app"


@pytest.fixture(scope="module")
def newotel(tmp_path_factory):
    out = tmp_path_factory.mktemp("newotel") / "newotel"
    before = {p: p.read_bytes() for p in (NEWOTEL / "go.mod", NEWOTEL / "go.sum")}
    result = harness.otel_build(NEWOTEL, "-o", str(out), ".")
    return out, result, before


def test_users_newer_opentelemetry_is_used_and_spans_arrive(newotel, receiver):
    out, result, before = newotel
    harness.check_build(result)
    assert {p: p.read_bytes() for p in before} == before  # the user's go.mod/go.sum untouched
    versions = harness.build_info(out).modules
    assert versions.get("go.opentelemetry.io/otel") == "v1.47.0", versions
    assert versions.get("go.opentelemetry.io/otel/sdk") == "v1.47.0", versions
    assert versions.get("go.opentelemetry.io/otel/trace") == "v1.47.0", versions

    proc = subprocess.run(
        [str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint}),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "sdk 1.47.0\n"
    spans = receiver.wait_for_spans(lambda s: {"INTERNAL", "CLIENT", "SERVER"} <= {x.kind for x in s})
    manual = one(spans, name="fetch-version")
    client, server = one(spans, kind="CLIENT"), one(spans, kind="SERVER")
    # The user's own span (API v1.47.0) and otelgo's are one trace.
    assert parent_of(spans, client) == manual
    assert parent_of(spans, server) == client
    assert server.attributes["http.route"] == "/version"


def test_a_newer_core_gets_the_log_bridge_made_for_it_though_unlisted(tmp_path, receiver):
    """Core v1.46.0 and logrus: the proxy here lists only otellogrus v0.21.0
    (made for v1.47.0); v0.20.1, made for v1.46.0, is found beside the list.
    Before, the hooks' own otellogrus v0.15.0 was kept, and failed to compile
    against the otel/log v0.22.0 of such a build (so did caddy v2.11.9)."""
    out = tmp_path / "newotellogs"
    result = harness.check_build(harness.otel_build(NEWOTELLOGS, "-o", str(out), "."))
    assert "OpenTelemetry: core v1.46.0 of your modules, with the contrib releases made for it" in result.stderr
    # logrus v1.10.2: the rules for before 1.10 are skipped, but those for
    # 1.10 on, of the same files, applied: no line for them but in --json.
    assert "fireHooks" in result.stderr and "skipped" not in result.stderr, result.stderr
    summary = json.loads(harness.check_build(harness.otel_build(NEWOTELLOGS, "--json", "-o", str(out), ".")).stdout)
    assert {s["rule"] for s in summary["skipped"]} == {"logrus-firehooks", "logrus-firehooks-export"}
    versions = harness.build_info(out).modules
    assert versions.get("go.opentelemetry.io/otel") == "v1.46.0", versions
    assert versions.get("go.opentelemetry.io/contrib/bridges/otellogrus") == "v0.20.1", versions
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_LOGS_EXPORTER": "otlp"}
    proc = subprocess.run([str(out)], capture_output=True, text=True, timeout=60, env=harness.clean_env(env))
    assert proc.returncode == 0, proc.stderr
    (span,) = receiver.wait_for_spans(1)
    (record,) = receiver.wait_for_logs(1)
    assert record.body == "inside the span" and record.attributes["step"] == 1, record.short()
    assert (record.trace_id, record.span_id) == (span.trace_id, span.span_id)


def test_rule_outside_its_version_range_is_skipped_with_a_note(tmp_path, receiver):
    """outofrange.json puts a hook on github.com/google/uuid.NewString for
    versions [1.0.0,1.6.0); app requires v1.6.0 and calls NewString in
    every /compute answer.

    Costly on a cold cache: a user rule on a module outside the user's tree
    enters otelgo's cache token even when it applies nowhere, so this build
    recompiles the standard library under a token of its own."""
    out = tmp_path / "app"
    rules = RELIABILITY / "hooks" / "outofrange.json"
    result = harness.check_build(harness.otel_build(APP, "--rules", str(rules), "-o", str(out), "."))
    assert (
        "skipped reliability-out-of-range on github.com/google/uuid: version v1.6.0 is outside [1.0.0,1.6.0)"
        in result.stderr
    ), result.stderr
    # ...and not listed among the instrumented packages.
    assert not [line for line in result.stderr.splitlines() if line.startswith("  github.com/google/uuid")]
    proc = subprocess.run(
        [str(out), "once"],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint}),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == ["compute 3 = 10", "HI!"]
    assert "hook:" not in proc.stdout
    # The rest of the instrumentation is there as usual.
    receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})


def test_users_newer_opentelemetry_in_a_workspace(tmp_path):
    """The same in workspace mode, where go.work holds no requirements: the
    contrib releases for v1.47.0 join through a module of otelgo's own in
    the build dir, and the workspace is left as it was."""
    shutil.copytree(NEWOTEL, tmp_path / "app")
    init = subprocess.run(
        [harness.find_go(), "work", "init", "./app"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env(),
    )
    assert init.returncode == 0, init.stderr
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    out = tmp_path.parent / f"{tmp_path.name}-bin"
    harness.check_build(harness.otel_build(tmp_path / "app", "-o", str(out), "."))
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # nothing changed or added
    versions = harness.build_info(out).modules
    assert versions.get("go.opentelemetry.io/otel") == "v1.47.0", versions
    assert versions.get("go.opentelemetry.io/otel/sdk") == "v1.47.0", versions
    proc = subprocess.run(
        [str(out)], capture_output=True, text=True, timeout=60, env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"})
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "sdk 1.47.0\n"


AUTOEXPORT = "go.opentelemetry.io/contrib/exporters/autoexport"
OTELLOGRUS = "go.opentelemetry.io/contrib/bridges/otellogrus"


def test_contrib_release_for_a_core_is_read_from_the_proxy_once(tmp_path, monkeypatch):
    """Which contrib release goes with a core comes from the releases' own
    go.mod files; the answer is kept, so that a warm build asks nothing
    (here: no proxy and an empty module cache, and it still answers)."""
    from otelgo.plan import otelreleases

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert otelreleases.matching_release(AUTOEXPORT, "v1.47.0") == "v0.72.0"
    assert otelreleases.matching_release(AUTOEXPORT, "v1.44.0") == "v0.69.0"
    # Between two core releases: the contrib release made for the older one.
    assert otelreleases.matching_release(AUTOEXPORT, "v1.44.5") == "v0.69.0"
    # The proxy here lists otellogrus v0.21.0 alone (for v1.47.0); v0.20.1,
    # made for v1.46.0, resolves all the same. (Before, no release was found
    # for v1.46.0, and otellogrus v0.15.0 failed to compile against the otel/log
    # of such a build: caddy v2.11.9.)
    assert otelreleases.matching_release(OTELLOGRUS, "v1.46.0") == "v0.20.1"
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "empty-modcache"))
    assert otelreleases.matching_release(AUTOEXPORT, "v1.47.0") == "v0.72.0"
    assert otelreleases.matching_release(OTELLOGRUS, "v1.46.0") == "v0.20.1"
    with pytest.raises(otelreleases.ReleaseLookupError):
        otelreleases.matching_release(AUTOEXPORT, "v1.45.0")  # never looked up: the go command must fail
