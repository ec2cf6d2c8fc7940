"""Shared fixtures: the Go toolchain, builds (plain and with otelgo), running
programs, and a fresh OTLP receiver per test.

All builds use the default GOCACHE and GOMODCACHE: the suite must fit CI's
time on 2 cores, and a private cache would recompile the world each time.
Built binaries go under pytest's tmp directories.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# The support modules (harness, otlp, services, tmux) import as top-level modules.
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import harness
from otlp import OTLPReceiver
from servers_cloud import aws  # noqa: F401  (session fixture: an AWS-compatible server)
from servers_databases import ferretdb, memcached, redis_cluster_nodes  # noqa: F401  (session fixtures of real servers)
from servers_genai import genai_server  # noqa: F401  (the recorded model providers' APIs)
from servers_messaging import brokers, kafka, nats, rabbitmq  # noqa: F401  (session fixtures of message brokers)
from services import mariadb, postgres, redis  # noqa: F401  (session fixtures of real servers)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="tests/splice: rewrite the golden files of tests/splice/cases/ instead of comparing (see its README)",
    )


def pytest_collection_modifyitems(items):
    """The lanes are folders: tests/e2e builds with otelgo (marked e2e),
    tests/go and tests/splice run the go toolchain (marked toolchain),
    tests/unit needs neither."""
    e2e, toolchain = Path(__file__).parent / "e2e", (Path(__file__).parent / "go", Path(__file__).parent / "splice")
    for item in items:
        path = Path(item.fspath)
        if path.is_relative_to(e2e):
            item.add_marker(pytest.mark.e2e)
        elif any(path.is_relative_to(d) for d in toolchain):
            item.add_marker(pytest.mark.toolchain)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return harness.REPO_ROOT


@pytest.fixture(scope="session")
def testdata() -> Path:
    return harness.TESTDATA


@pytest.fixture(scope="session")
def go_bin() -> str:
    return harness.find_go()


@pytest.fixture(scope="session")
def otel_build():
    """otel_build(module_dir, *args, env=None) -> CompletedProcess."""
    return harness.otel_build


@pytest.fixture(scope="session")
def go_build():
    """go_build(module_dir, *args, env=None) -> CompletedProcess."""
    return harness.go_build


@pytest.fixture
def run_program(tmp_path):
    """run_program(binary, args=(), env=None, listen=True, ...) context
    manager yielding a harness.Program; output files land in tmp_path."""

    def run(binary, args=(), env=None, **kw):
        kw.setdefault("output_dir", tmp_path)
        return harness.run_program(binary, args, env, **kw)

    return run


@pytest.fixture
def receiver():
    with OTLPReceiver() as rx:
        yield rx


class BuiltBinaries:
    """Binaries of one Go module built on first use and then reused for the
    whole session (an instrumented build is the slow part of the suite).
    A failed build is remembered so later tests fail fast with its output."""

    def __init__(self, module_dir: Path, out_dir: Path, builder):
        self.module_dir = module_dir
        self.out_dir = out_dir
        self._builder = builder
        self._built: dict[str, Path | subprocess.CompletedProcess] = {}

    def __getitem__(self, name: str) -> Path:
        if name not in self._built:
            out = self.out_dir / name
            result = self._builder(self.module_dir, "-o", str(out), f"./cmd/{name}")
            self._built[name] = out if result.returncode == 0 else result
        got = self._built[name]
        if isinstance(got, subprocess.CompletedProcess):
            harness.check_build(got)
        return got


@pytest.fixture(scope="session")
def httpchain_otel(tmp_path_factory, testdata) -> BuiltBinaries:
    """testdata/httpchain commands built with otelgo: httpchain_otel["frontend"]."""
    return BuiltBinaries(
        testdata / "httpchain",
        tmp_path_factory.mktemp("httpchain-otel"),
        harness.otel_build,
    )


@pytest.fixture(scope="session")
def httpchain_plain(tmp_path_factory, testdata) -> BuiltBinaries:
    """testdata/httpchain commands built with plain go build."""
    return BuiltBinaries(
        testdata / "httpchain",
        tmp_path_factory.mktemp("httpchain-plain"),
        harness.go_build,
    )
