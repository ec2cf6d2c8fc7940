"""Choosing at build time (--without), and the project file (otelgo.toml)
with `otel config`, on testdata/control (a copy per test, so that its own
packages compile afresh and the tree of the repository stays untouched)."""

from __future__ import annotations

import re
import shutil
import urllib.request
import uuid

import harness
import pytest

MODULE = harness.TESTDATA / "control"


@pytest.fixture
def module(tmp_path):
    # A directory no earlier run used (pytest numbers its temporary
    # directories afresh once they are removed): the shared build cache then
    # holds none of its packages.
    copy = tmp_path / f"control-{uuid.uuid4().hex[:12]}"
    shutil.copytree(MODULE, copy)
    return copy


def otel(*args, cwd):
    return harness.otel(*args, cwd=cwd)


def compiled(stderr: str) -> set[str]:
    """The packages a build compiled, from its -x output: the compiler's -p."""
    return set(re.findall(r"/compile -o \S+ .*? -p (\S+)", stderr))


def spans_and_traced(binary, receiver) -> tuple[list, set[str]]:
    with harness.TargetServer() as target:
        with harness.run_program(
            binary,
            env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                "OTEL_METRICS_EXPORTER": "none",
                "TARGET_URL": target.url,
            },
        ) as prog:
            with urllib.request.urlopen(prog.url + "/work", timeout=30) as resp:
                assert resp.status == 200
        traced = {r.path for r in target.requests if "traceparent" in r.headers}
    return receiver.spans, traced


def test_without_recompiles_only_the_packages_it_concerns(module):
    """The build token holds no rule: leaving database/sql's rules out
    recompiles database/sql and the program's package main (whose bootstrap
    links one hook package less), nothing else; the full build afterwards
    finds everything in the cache."""
    out = str(module.parent / "control-bin")
    harness.check_build(harness.otel_build(module, "-o", out, "."))  # every package in the cache
    without = harness.check_build(harness.otel_build(module, "--without", "databasesql", "-x", "-o", out, "."))
    assert "main" in compiled(without.stderr), without.stderr[-3000:]
    assert compiled(without.stderr) <= {"main", "database/sql"}, compiled(without.stderr)
    again = harness.check_build(harness.otel_build(module, "-x", "-o", out, "."))
    assert compiled(again.stderr) == set()


def test_unknown_and_plumbing_names_are_refused(module):
    for name, said in [
        (
            "nethtp",
            "otel: --without nethtp: no instrumentation has that name (did you mean nethttp?); known: amqp091,",
        ),
        ("sdk", "otel: --without sdk: otelgo.dev/rules/sdk is not an instrumentation and cannot be left out"),
    ]:
        result = harness.otel_build(module, "--without", name, "-o", str(module.parent / "x"), ".")
        assert result.returncode == 2 and said in result.stderr, result.stderr


def test_project_file_and_flags_over_it(module, receiver):
    (module / "otelgo.toml").write_text(
        '# otelgo settings of this module\nrules = ["rules.json"]\nwithout = ["nethttp"]\nexporters = ["otlp"]\n'
    )
    binary = module.parent / "control-toml"
    result = harness.check_build(harness.otel_build(module, "-o", str(binary), "."))
    assert "left out nethttp (--without)" in result.stderr
    assert "net/http go" not in result.stderr  # not instrumented at all
    assert "rule control-audit-span left out" in result.stderr  # rules.json, named by the file
    spans, traced = spans_and_traced(binary, receiver)  # no HTTP span: only //otel:span's
    assert [(s.kind, s.name) for s in spans] == [("INTERNAL", "main.priced")] and traced == set()

    # A flag replaces the file's list.
    flagged = harness.check_build(harness.otel_build(module, "--without", "databasesql", "-o", str(binary), "."))
    assert "left out databasesql (--without)" in flagged.stderr and "net/http go" in flagged.stderr

    shown = otel("config", cwd=module)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"project file: {module / 'otelgo.toml'}",
        shown.stdout.splitlines()[1],  # the number of built-in rule files
        f"rules: {module / 'rules.json'}  (otelgo.toml:2)",
        'without = ["nethttp"]  (otelgo.toml:3)',
        'exporters = ["otlp"]  (otelgo.toml:4)',
        "allow-upgrades = false  (default)",
    ]
    assert re.fullmatch(r"rules: \d+ built-in rule files", shown.stdout.splitlines()[1])
    over = otel("config", "--without", "gorm", "--allow-upgrades", cwd=module)
    assert 'without = ["gorm"]  (command line)' in over.stdout
    assert "allow-upgrades = true  (command line)" in over.stdout


def test_project_file_mistakes_are_named(module):
    (module / "otelgo.toml").write_text('rules = ["rules.json"]\nwithot = ["nethttp"]\nallow-upgrades = "yes"\n')
    result = harness.otel_build(module, "-o", str(module.parent / "x"), ".")
    assert result.returncode == 2
    assert f"otel: {module / 'otelgo.toml'}:2: unknown key withot (did you mean without?)" in result.stderr
    assert f"otel: {module / 'otelgo.toml'}:3: allow-upgrades must be true or false" in result.stderr
