"""Where otelgo keeps its own cache when the usual place cannot be used.

A container's user often has no writable home; its go command works because
GOCACHE is set. otel must work there too: its cache then goes into the go
command's build cache directory. A relative XDG_CACHE_HOME, which the XDG
specification says to ignore, must not put the cache into the user's tree.
OTELGO_CACHE names the directory outright, and one that cannot be used is
an error that says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
import pytest

HELLO = harness.TESTDATA / "hello"


@pytest.fixture
def gocache():
    """The suite's GOCACHE, named outright: with XDG_CACHE_HOME changed, the
    go command's default would move with it. otelgo's cache, put there by
    the tests below, is removed after each."""
    proc = harness.go("env", "GOCACHE", cwd=HELLO)
    assert proc.returncode == 0, proc.stderr
    where = Path(proc.stdout.strip())
    shutil.rmtree(where / "otelgo", ignore_errors=True)
    yield where
    shutil.rmtree(where / "otelgo", ignore_errors=True)


def _module(tmp_path: Path) -> Path:
    module = tmp_path / "src"
    shutil.copytree(HELLO, module)
    return module


def test_an_unwritable_cache_home_moves_the_cache_into_gocache(tmp_path, gocache, receiver):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache home would be")
    env = {"XDG_CACHE_HOME": str(blocker), "GOCACHE": str(gocache)}
    module = _module(tmp_path)
    before = harness.tree_snapshot(module)

    # go itself builds here: otel must too.
    harness.check_build(harness.go("build", "-o", str(tmp_path / "plain"), ".", cwd=module, env=env))
    harness.check_build(harness.otel_go("build", "-o", str(tmp_path / "hello"), ".", cwd=module, env=env))
    harness.assert_hello_traced(tmp_path / "hello", receiver)
    assert (gocache / "otelgo" / "plans").is_dir()
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""
    assert blocker.read_text() == "a file where the cache home would be"

    # The bare mode: the script the go command runs carries the choice to
    # the shim, whose environment is the plain go command's.
    printed = harness.otel("toolexec-flags", ".", cwd=module, env=env)
    assert printed.returncode == 0, printed.stderr
    receiver.clear()
    built = harness.go(
        "build", "-o", str(tmp_path / "bare"), ".", cwd=module, env={**env, "GOFLAGS": printed.stdout.strip()}
    )
    harness.check_build(built)
    harness.assert_hello_traced(tmp_path / "bare", receiver)


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, gocache, receiver):
    """Before, the cache went to ./.cache/otelgo: into the user's module.
    (go ignores it too, and wants GOCACHE then.)"""
    module = _module(tmp_path)
    before = harness.tree_snapshot(module)
    env = {"XDG_CACHE_HOME": ".cache", "GOCACHE": str(gocache)}
    harness.check_build(harness.otel_go("build", "-o", str(tmp_path / "hello"), ".", cwd=module, env=env))
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""
    harness.assert_hello_traced(tmp_path / "hello", receiver)


def test_an_unusable_otelgo_cache_is_an_error_that_says_what_to_do(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    module = _module(tmp_path)
    before = harness.tree_snapshot(module)
    proc = harness.otel_go("build", "-o", str(tmp_path / "hello"), ".", cwd=module, env={"OTELGO_CACHE": str(blocker)})
    assert proc.returncode == 1
    assert proc.stderr == (f"otel: OTELGO_CACHE: {blocker} (Not a directory): set it to a writable directory\n")
    assert not (tmp_path / "hello").exists()
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""
