"""The suites lane: other people's test suites pass instrumented as they
pass plain (tests/suites/README.md). Not part of the default suite; run as
root, which only prepares the unprivileged user (setup.sh): every build and
every test binary runs as that user.

    .venv/bin/python -m pytest -q tests/suites/suites_lane.py [-k strings]

One test per package: lane.py builds its test binary plain and with a rule
on every function and method (no-op hooks through the normal trampolines),
runs it plain, with the hooks on, panicking, and switched off at run time,
and reports; the test checks the report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
USER = os.environ.get("OTELGO_SUITES_USER", "otelgo-suites")
HOME = Path(os.environ.get("OTELGO_SUITES_HOME", "/var/lib/otelgo-suites"))

STD = [
    "strings",
    "bytes",
    "sort",
    "bufio",
    "errors",
    "container/heap",
    "strconv",
    "net/url",
    "regexp",
    "encoding/json",
    "text/template",
    "unicode/utf8",
    "encoding/csv",
    "path",
]
MODULES = [
    "golang.org/x/sync@v0.25.0:golang.org/x/sync/errgroup",
    "github.com/go-chi/chi/v5@v5.2.3:github.com/go-chi/chi/v5",
    "github.com/gin-gonic/gin@v1.12.0:github.com/gin-gonic/gin",
    "go.uber.org/zap@v1.27.0:go.uber.org/zap",
    "github.com/sirupsen/logrus@v1.9.3:github.com/sirupsen/logrus",
    "github.com/redis/go-redis/v9@v9.18.0:github.com/redis/go-redis/v9/internal/proto",
    "github.com/jackc/pgx/v5@v5.7.6:github.com/jackc/pgx/v5/pgproto3",
]
SPECS = [f"std:{p}" for p in STD] + [f"mod:{m}" for m in MODULES] + ["dir:testdata/semantics:./..."]


@pytest.fixture(scope="session")
def suites_user() -> None:
    if os.geteuid() != 0:
        pytest.fail("the suites lane runs as root, only to make and use its unprivileged user (tests/suites/setup.sh)")
    proc = subprocess.run([str(HERE / "setup.sh")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def as_user(*argv: str) -> list[str]:
    return [
        "setpriv",
        f"--reuid={USER}",
        f"--regid={USER}",
        "--init-groups",
        "env",
        "-i",
        f"HOME={HOME}",
        "PATH=/usr/local/go/bin:/usr/bin:/bin",
        *argv,
    ]


def lane(spec: str) -> list[dict]:
    name = re.sub(r"[^\w.-]+", "_", spec)
    report = HOME / "reports" / f"{name}.json"
    subprocess.run(as_user("mkdir", "-p", str(report.parent)), check=True)
    proc = subprocess.run(
        as_user(str(HOME / "venv" / "bin" / "python"), str(HERE / "lane.py"), "--work", str(HOME / "work"))
        + ["--report", str(report), spec],
        capture_output=True,
        text=True,
        timeout=4 * 3600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(report.read_text())


def summary(r: dict) -> str:
    tests = " ".join(f"{k}:{v['pass']}/{v['pass'] + v['fail']}" for k, v in r["tests"].items())
    alloc = {k: [x["test"] for x in v if x["kind"] == "allocations"] for k, v in r["regressions"].items()}
    return (
        f"{r['package']}: {r['hooked']} hooked of {r['functions']} functions, {len(r['refused'])} refused, "
        f"hooks ran in {r['hooks_ran']}; tests passed {tests}; allocation-count tests failing: {alloc}; "
        f"seconds {r['seconds']}"
    )


@pytest.mark.parametrize("spec", SPECS)
def test_suite_passes_instrumented(suites_user, spec):
    reports = lane(spec)
    assert reports, spec
    for r in reports:
        print(summary(r), file=sys.stderr)
        assert r["error"] == "", f"{r['package']}: {r['error']}"
        assert not r["package_refused"], f"{r['package']} compiled without instrumentation: {r['package_refused']}"
        assert r["hooked"] > 0 and r["hooks_ran"] > 0, summary(r)
        assert all(x["reason"] for x in r["refused"]), r["refused"]
        assert r["panics_when_off"] == 0, "hooks ran while switched off"
        assert r["tests"]["plain"]["pass"] > 0, "the plain run passed no test: nothing was compared"
        semantic = {run: [x for x in v if x["kind"] == "semantics"] for run, v in r["regressions"].items()}
        assert semantic == {"on": [], "panic": [], "off": []}, json.dumps(semantic, indent=1)[:8000]


def test_semantics_package_hooks_everything_but_nosplit(suites_user):
    """The constructs of testdata/semantics are all hooked, generic
    functions and methods included; //go:nosplit Tiny is refused, and says
    why."""
    (r,) = lane("dir:testdata/semantics:.")
    refused = {x["function"]: x["reason"] for x in r["refused"]}
    assert set(refused) == {"Tiny"}, refused
    assert "//go:nosplit" in refused["Tiny"]
    assert r["hooked"] == r["functions"] - 1
    assert all(not v for v in r["regressions"].values()), r["regressions"]


def test_runtime_sensitive_package_gets_no_hook_and_says_why(suites_user):
    """sync/atomic is what the trampolines and the hooks' panic reports run
    on: every rule on it is refused with the reason, and its tests pass."""
    (r,) = lane("std:sync/atomic")
    assert r["error"] == "", r["error"]
    assert r["hooked"] == 0 and r["rules"] > 0
    reasons = {x["reason"] for x in r["refused"]}
    assert len(r["refused"]) == r["rules"], r["refused"]
    assert reasons == {
        "the runtime and the packages it imports (and sync/atomic, the race detector's) get no hook "
        "calls: the trampolines and every hook run on them"
    }, reasons
    assert r["tests"]["plain"]["pass"] > 0
    assert r["tests"]["on"] == r["tests"]["plain"]
