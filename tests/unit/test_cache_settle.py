"""resources.settle_cache_dir: where otelgo's cache goes when its usual
place cannot be made (the builds themselves: tests/e2e/reliability/test_cachedir.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from otelgo.resources import CACHE_ENV, CacheDirError, cache_dir, settle_cache_dir


@pytest.fixture
def blocker(tmp_path, monkeypatch):
    """A file where the cache home would be."""
    path = tmp_path / "not-a-dir"
    path.write_text("")
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(path))
    return path


def test_a_usable_cache_home_is_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    settle_cache_dir(tmp_path / "gocache")
    assert CACHE_ENV not in os.environ
    assert cache_dir() == tmp_path / "xdg" / "otelgo" and cache_dir().is_dir()
    assert not (tmp_path / "gocache").exists()


def test_an_unusable_one_moves_into_gocache_for_the_shim_too(tmp_path, blocker, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "")  # restored after the test: settle sets it
    settle_cache_dir(tmp_path / "gocache")
    assert os.environ[CACHE_ENV] == str(tmp_path / "gocache" / "otelgo")
    assert cache_dir().is_dir() and cache_dir().stat().st_mode & 0o777 == 0o700


def test_when_neither_can_be_made_the_error_names_both(tmp_path, blocker, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "")
    with pytest.raises(CacheDirError) as info:
        settle_cache_dir(blocker / "gocache")
    assert str(info.value) == (
        f"otelgo's cache cannot be made in {blocker}/otelgo (Not a directory), "
        f"nor {blocker}/gocache/otelgo (Not a directory): set OTELGO_CACHE to a writable directory"
    )
    assert not os.environ.get(CACHE_ENV)  # the failed choice is not left for the shim


def test_a_gocache_that_is_off_is_not_a_place(blocker):
    with pytest.raises(CacheDirError, match=r"cannot be made in .* \(Not a directory\): set OTELGO_CACHE"):
        settle_cache_dir(Path("off"))


def test_a_relative_cache_home_is_ignored(monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    assert cache_dir() == Path(os.path.expanduser("~"), ".cache", "otelgo")
