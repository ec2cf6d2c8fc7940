"""A rebuild with nothing changed takes the plan's `go list` from otelgo's
cache: for a module whose go.mod says `go 1.15` (no lazy module loading),
that is what made such rebuilds take seconds. An edit lists again."""

from __future__ import annotations

import json
import os
import subprocess

import harness

GO115 = harness.TESTDATA / "go115"


def _build(tmp_path, cache_home):
    env = {"XDG_CACHE_HOME": str(cache_home), "GOCACHE": _gocache()}
    return harness.check_build(harness.otel_build(GO115, "-o", str(tmp_path / "go115"), ".", env=env))


def _gocache() -> str:
    return subprocess.run([harness.find_go(), "env", "GOCACHE"], capture_output=True, text=True).stdout.strip()


def _entries(cache_home):
    return {p.name: p.stat().st_mtime_ns for p in (cache_home / "otelgo" / "golist").glob("*.json")}


def test_an_unchanged_rebuild_does_not_list_again(tmp_path):
    cache_home = tmp_path / "cache"
    _build(tmp_path, cache_home)
    first = _entries(cache_home)
    # Two listings: the user's packages against the user's own go.sum (the
    # go.sum check go build makes), and the build's.
    assert len(first) == 2
    _build(tmp_path, cache_home)
    assert _entries(cache_home) == first  # a hit: the entry was read, not written
    # The program still comes out instrumented and works.
    proc = subprocess.run(
        [str(tmp_path / "go115")],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"}),
    )
    assert proc.returncode == 0 and proc.stdout == "hello\n", proc.stderr


def test_an_edit_lists_again(tmp_path):
    module = tmp_path / "go115"
    module.mkdir()
    for f in GO115.iterdir():
        (module / f.name).write_bytes(f.read_bytes())
    cache_home = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache_home), "GOCACHE": _gocache()}
    harness.check_build(harness.otel_build(module, "-o", str(tmp_path / "bin"), ".", env=env))
    first = _entries(cache_home)
    main = module / "main.go"
    main.write_text(main.read_text().replace("import (", 'import (\n\t_ "strings"'))
    os.utime(main, ns=(main.stat().st_atime_ns, main.stat().st_mtime_ns + 10**9))
    harness.check_build(harness.otel_build(module, "-o", str(tmp_path / "bin"), ".", env=env))
    assert _entries(cache_home) != first


def _outputs(cache_home):
    return {p.name: json.loads(p.read_text())["output"] for p in (cache_home / "otelgo" / "golist").glob("*.json")}


def _run(binary) -> str:
    proc = subprocess.run(
        [str(binary)],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"}),
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_an_edit_below_the_imports_is_built_without_listing_again(tmp_path):
    """An edit of a function's body keeps the listings (what the go command
    reads of a file ends with its imports) and the remembered plan (what
    planning reads of it ends there too, and with its functions'
    signatures): the edit is in the program; an unchanged rebuild after it
    keeps it there, and an edit back is built too. The binary goes beside
    main.go, as `go build` puts it by default: it changes with every build,
    and neither the listings nor the plan read it."""
    module = tmp_path / "go115"
    module.mkdir()
    for f in GO115.iterdir():
        (module / f.name).write_bytes(f.read_bytes())
    cache_home = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache_home), "GOCACHE": _gocache()}
    binary = module / "go115"
    harness.check_build(harness.otel_build(module, "-o", str(binary), ".", env=env))
    # The binary is new in the directory: this build lists and plans again,
    # then no build after it does.
    harness.check_build(harness.otel_build(module, "-o", str(binary), ".", env=env))
    assert _run(binary) == "hello\n"
    listed = _outputs(cache_home)
    assert len(list((cache_home / "otelgo" / "plans").iterdir())) == 1  # the plan is remembered
    # Planning checks the hooks of func main against main.go, as it is: a
    # build that plans again leaves a mark for the edited file here.
    checked = sorted(p.name for p in (cache_home / "otelgo" / "checked").iterdir())
    assert checked
    main = module / "main.go"
    original = main.read_text()
    for text, said in ((original.replace('"hello"', '"edited"'), "edited\n"), (original, "hello\n")):
        main.write_text(text)
        os.utime(main, ns=(main.stat().st_atime_ns, main.stat().st_mtime_ns + 10**9))
        harness.check_build(harness.otel_build(module, "-o", str(binary), ".", env=env))
        assert _run(binary) == said
        harness.check_build(harness.otel_build(module, "-o", str(binary), ".", env=env))  # unchanged since
        assert _run(binary) == said
    assert _outputs(cache_home) == listed  # no listing ran again
    assert sorted(p.name for p in (cache_home / "otelgo" / "checked").iterdir()) == checked  # nor planning
