"""Copies of modules out of the module cache (otelgo/plan/modcopy.py) and
the pkg@version forms (otelgo/gocmd/versioned.py)."""

from __future__ import annotations

import os
import stat

import pytest

from otelgo.gocmd.flags import parse
from otelgo.gocmd.versioned import is_versioned, module_from_commands
from otelgo.plan import modcopy


@pytest.mark.parametrize(
    ("subcommand", "args", "versioned"),
    [
        ("install", ["example.com/tool/cmd/x@v1.2.3"], True),
        ("run", ["example.com/tool/cmd/x@latest", "arg@not-a-package"], True),
        ("install", ["./cmd/x"], False),
        ("build", ["example.com/tool/cmd/x@v1.2.3"], False),  # go build refuses it itself
        ("run", ["main.go", "user@example.com"], False),
    ],
)
def test_is_versioned(subcommand, args, versioned):
    assert is_versioned(parse(subcommand, args)) is versioned


@pytest.fixture
def modcache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    module = tmp_path / "mod" / "example.com" / "!tool@v1.0.0"
    (module / "cmd" / "x").mkdir(parents=True)
    (module / "go.mod").write_text("module example.com/Tool\n")
    (module / "cmd" / "x" / "main.go").write_text("package main\n")
    for d, _, files in os.walk(module, topdown=False):  # as the go command leaves them
        for f in files:
            os.chmod(os.path.join(d, f), 0o444)
        os.chmod(d, 0o555)
    yield tmp_path / "mod", module
    for d, _, _ in os.walk(tmp_path):
        os.chmod(d, 0o755)


def test_private_copy_is_read_only_and_reused(modcache):
    root, module = modcache
    copy = modcopy.private_copy(module, root)
    assert copy == modcopy.copies_root() / "example.com" / "!tool@v1.0.0"
    assert (copy / "cmd" / "x" / "main.go").read_text() == "package main\n"
    assert stat.S_IMODE((copy / "go.mod").stat().st_mode) == 0o444
    assert stat.S_IMODE((copy / "cmd").stat().st_mode) == 0o755  # removable with rm -r
    assert [p.name for p in copy.parent.iterdir()] == ["!tool@v1.0.0"]  # no temporary left
    os.chmod(copy / "cmd", 0o755)
    (copy / "cmd" / "marker").write_text("")
    assert modcopy.private_copy(module, root) == copy and (copy / "cmd" / "marker").exists()


def test_main_copy_is_writable(modcache, tmp_path):
    _, module = modcache
    copy = modcopy.main_copy(module, tmp_path / "build" / "main")
    assert (copy / "go.mod").stat().st_mode & stat.S_IWUSR
    (copy / "cmd" / "x" / "new.go").write_text("package main\n")


def test_module_from_the_commands_go_n_printed():
    commands = (
        "cd /tmp/x\n"
        "/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -p example.com/dep "
        "/m/cache/example.com/dep@v1.0.0/dep.go\n"
        '/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -trimpath "$WORK/b001=>" -p main '
        "-lang=go1.24 -pack /m/cache/github.com/!burnt!sushi/tool/v2@v2.1.0-!r!c1/cmd/x/main.go "
        "/m/cache/github.com/!burnt!sushi/tool/v2@v2.1.0-!r!c1/cmd/x/more.go\n"
    )
    assert module_from_commands(commands, "/m/cache") == {
        "Path": "github.com/BurntSushi/tool/v2",
        "Version": "v2.1.0-RC1",
        "Dir": "/m/cache/github.com/!burnt!sushi/tool/v2@v2.1.0-!r!c1",
    }
    assert module_from_commands("compile -p main /elsewhere/main.go\n", "/m/cache") is None
