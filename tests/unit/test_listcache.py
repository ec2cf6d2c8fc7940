"""The remembered `go list` (otelgo/gocmd/listcache.py): the same inputs
give the last answer without the go command; any change that could change
the answer runs it again."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from otelgo.gocmd.listcache import ListCache


@pytest.fixture
def world(tmp_path):
    """A main module with two packages, a module cache, a build dir."""
    root = tmp_path / "app"
    (root / "cmd").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/app\n\ngo 1.15\n")
    (root / "main.go").write_text("package main\n")
    (root / "cmd" / "x.go").write_text("package main\n")
    modcache = tmp_path / "modcache" / "example.com" / "lib@v1.0.0"
    modcache.mkdir(parents=True)
    (modcache / "lib.go").write_text("package lib\n")
    build = tmp_path / "build"
    build.mkdir()
    (build / "otel.mod").write_text("module example.com/app\n")
    return root, modcache, build


class Runs:
    def __init__(self, root: Path, modcache: Path):
        self.count = 0
        main = {"Path": "example.com/app", "Main": True, "Dir": str(root)}
        self.objs = [
            {"ImportPath": "example.com/app", "Dir": str(root), "Module": main},
            {"ImportPath": "example.com/app/cmd", "Dir": str(root / "cmd"), "Module": main},
            {"ImportPath": "example.com/lib", "Dir": str(modcache), "Module": {"Path": "example.com/lib"}},
        ]

    def __call__(self) -> str:
        self.count += 1
        return "".join(json.dumps(o) for o in self.objs) + json.dumps({"Run": self.count})


def _get(cache: ListCache, build: Path, root: Path, runs: Runs, env=None, pattern="."):
    args = ["list", "-deps", f"-modfile={build}/otel.mod", "--", pattern]
    return cache.get(args, root, env or {"GOFLAGS": "-mod=mod", "PATH": os.environ["PATH"]}, runs)


def test_same_inputs_the_same_answer_without_the_go_command(world, tmp_path):
    root, modcache, build = world
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    first = _get(cache, build, root, runs)
    # A new build dir each build: the same contents are the same inputs.
    other = tmp_path / "build2"
    other.mkdir()
    (other / "otel.mod").write_text((build / "otel.mod").read_text())
    assert _get(cache, other, root, runs) == first and runs.count == 1


def _touch(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))


@pytest.mark.parametrize(
    "change",
    [
        lambda root, build: _touch(root / "cmd" / "x.go", 'package main\n\nimport "net"\n'),  # an edited source
        lambda root, build: (root / "cmd" / "y.go").write_text("package main\n"),  # a new file
        lambda root, build: _touch(root / "go.mod", "module example.com/app\n\ngo 1.21\n"),  # the module's go.mod
        lambda root, build: (build / "otel.mod").write_text("module example.com/app\nrequire x v1\n"),
        lambda root, build: (build / "otel.sum").write_text("x v1 h1:=\n"),
    ],
)
def test_a_change_runs_the_go_command_again(world, tmp_path, change):
    root, modcache, build = world
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    change(root, build)
    _get(cache, build, root, runs)
    assert runs.count == 2


def test_the_environment_and_the_command_line_are_inputs(world, tmp_path):
    root, modcache, build = world
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    _get(cache, build, root, runs, env={"GOFLAGS": "-mod=mod", "GOOS": "windows", "PATH": os.environ["PATH"]})
    _get(cache, build, root, runs, pattern="./cmd")
    assert runs.count == 3


def test_a_new_package_under_a_dots_pattern_runs_it_again(world, tmp_path):
    root, modcache, build = world
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs, pattern="./...")
    (root / "tool").mkdir()
    (root / "tool" / "t.go").write_text("package main\n")
    _get(cache, build, root, runs, pattern="./...")
    assert runs.count == 2
    (root / "testdata").mkdir()  # what ./... never matches changes nothing
    (root / "testdata" / "t.go").write_text("package x\n")
    _get(cache, build, root, runs, pattern="./...")
    assert runs.count == 2


def test_the_module_cache_is_not_looked_at(world, tmp_path):
    """Under a module version nothing changes: its files are not checked."""
    root, modcache, build = world
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    _touch(modcache / "lib.go", "package lib // changed\n")
    _get(cache, build, root, runs)
    assert runs.count == 1
    (entry,) = (tmp_path / "cache").iterdir()
    assert not any(str(modcache) in f for f in json.loads(entry.read_text())["manifest"]["files"])


def test_a_damaged_entry_is_a_miss(world, tmp_path):
    root, modcache, build = world
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_text("{not json")
    assert _get(cache, build, root, runs).endswith('{"Run": 2}')


MAIN_GO = '//go:build linux\n\npackage main\n\nimport (\n\t"fmt"\n)\n\nfunc main() { fmt.Println("a") }\n'


@pytest.mark.parametrize(
    "edit",
    [
        MAIN_GO.replace('"a"', '"b"'),  # a function's body
        MAIN_GO + "\nconst version = 2\n",  # a new declaration below the imports
        MAIN_GO.replace("func main", "// main runs.\nfunc main"),  # a comment below the imports
    ],
)
def test_an_edit_below_the_imports_keeps_the_answer(world, tmp_path, edit):
    """What `go list` reads of a file is its header: an edit below the
    imports keeps the answer, and the entry keeps it for the next edit too."""
    root, modcache, build = world
    _touch(root / "main.go", MAIN_GO)
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    first = _get(cache, build, root, runs)
    _touch(root / "main.go", edit)
    assert _get(cache, build, root, runs) == first and runs.count == 1
    _touch(root / "main.go", edit + "\nvar again = 1\n")
    assert _get(cache, build, root, runs) == first and runs.count == 1
    _touch(root / "main.go", MAIN_GO.replace('"fmt"', '"os"'))  # and a header edit after them is one
    _get(cache, build, root, runs)
    assert runs.count == 2


@pytest.mark.parametrize(
    "edit",
    [
        MAIN_GO.replace("linux", "windows"),  # a build constraint
        MAIN_GO.replace("package main", "package other"),  # the package clause
        MAIN_GO.replace('"fmt"\n', '"fmt"\n\t"os"\n'),  # an import
        MAIN_GO.replace('"fmt"', 'f "fmt"'),  # an import's name
        MAIN_GO.replace("\n)\n", '\n)\nimport "os"\n'),  # an import declaration after the first
        "/* a cgo preamble */\n" + MAIN_GO,  # a comment before the package clause
        MAIN_GO.replace("\n)\n", '\n\t"embed"\n)\n') + "//go:embed a.txt\nvar f embed.FS\n",
        MAIN_GO.replace("func main", "/* unterminated\nfunc main"),  # unsure: a change
        MAIN_GO.replace("func main", "if main"),  # no longer a declaration the go command takes
    ],
)
def test_an_edit_of_the_header_runs_the_go_command_again(world, tmp_path, edit):
    root, modcache, build = world
    _touch(root / "main.go", MAIN_GO)
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    _touch(root / "main.go", edit)
    _get(cache, build, root, runs)
    assert runs.count == 2


def test_an_embed_pattern_is_part_of_the_header(world, tmp_path):
    root, modcache, build = world
    embedding = MAIN_GO.replace("\n)\n", '\n\t"embed"\n)\n') + "//go:embed a.txt\nvar f embed.FS\n"
    _touch(root / "main.go", embedding)
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    _touch(root / "main.go", embedding.replace('"a"', '"b"'))
    _get(cache, build, root, runs)
    assert runs.count == 1
    _touch(root / "main.go", embedding.replace("a.txt", "b.txt"))
    _get(cache, build, root, runs)
    assert runs.count == 2


def test_a_file_the_go_command_does_not_read_is_watched_for_being_there(world, tmp_path):
    """The binary `go build` writes beside main.go changes with every
    build; only its being there matters to `go list` (a //go:embed could
    name it)."""
    root, modcache, build = world
    _touch(root / "main.go", MAIN_GO)
    _touch(root / "main", "\x7fELF 1")
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    _touch(root / "main", "\x7fELF 22")
    _get(cache, build, root, runs)
    assert runs.count == 1
    (root / "main").unlink()
    _get(cache, build, root, runs)
    assert runs.count == 2


@pytest.mark.parametrize("name", ["main_test.go", "main.s", "main.c"])
def test_an_edit_of_a_test_or_another_file_runs_the_go_command_again(world, tmp_path, name):
    """A test file's functions make the generated test main; other files
    than Go sources are not read for a header."""
    root, modcache, build = world
    _touch(root / name, MAIN_GO)
    cache = ListCache(tmp_path / "cache", (modcache.parent.parent,))
    runs = Runs(root, modcache)
    _get(cache, build, root, runs)
    _touch(root / name, MAIN_GO.replace('"a"', '"b"'))
    _get(cache, build, root, runs)
    assert runs.count == 2
