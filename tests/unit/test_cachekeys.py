"""How instrumented compiles are keyed (otelgo/plan/cachekeys.py): the
token follows the compile side only; each matched package's rules reach
its own cache key through a stamp file or a -gcflags marker that repeats
the flags the user's -gcflags give that package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from otelgo.gocmd.flags import parse
from otelgo.gocmd.golist import GoEnv, Package
from otelgo.plan import cachekeys
from otelgo.ruleset.model import FunctionRule
from otelgo.toolexec.protocol import MARKER

ENV = GoEnv(
    "go1.26.8", Path("/goroot"), "/app/go.mod", "", Path("/modcache"), Path("/cache"), goflags="-gcflags=all=-l"
)


def _rule(name="r", version=None):
    return FunctionRule(Name=name, ImportPath="example.com/x", Function="F", OnEnter="E", Path="h", Version=version)


def test_the_token_ignores_rules_and_follows_the_compile_side(monkeypatch, tmp_path):
    token = cachekeys.instrumentation_token()
    assert token == cachekeys.instrumentation_token()
    fake = tmp_path / "otelgo"
    for part in cachekeys._COMPILE_SIDE:
        src = Path(cachekeys.__file__).parents[1] / part
        dst = fake / part
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            for f in src.glob("*.py"):
                (dst / f.name).write_bytes(f.read_bytes())
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    monkeypatch.setattr(cachekeys, "package_dir", lambda: fake)
    assert cachekeys.instrumentation_token() == token
    # The native shim's builder runs in no compile: an edit recompiles nothing.
    (fake / "toolexec" / "nativeshim.py").write_text("# changed\n")
    assert cachekeys.instrumentation_token() == token
    (fake / "splice" / "edit.py").write_text((fake / "splice" / "edit.py").read_text() + "\n# changed\n")
    assert cachekeys.instrumentation_token() != token


def test_the_rules_digest_follows_every_field():
    assert cachekeys.rules_digest([_rule()]) == cachekeys.rules_digest([_rule()])
    assert cachekeys.rules_digest([_rule()]) != cachekeys.rules_digest([_rule(version="[1.0.0,)")])
    assert cachekeys.rules_digest([_rule()]) != cachekeys.rules_digest([_rule(), _rule("s")])


def test_stamps_where_the_overlay_may_add_a_file_markers_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    std = Package("net/http", "http", Path("/goroot/src/net/http"), True, True)
    lib = Package("example.com/lib", "lib", Path("/modcache/example.com/lib@v1.0.0"), False, True, "example.com/lib")
    files = Package("command-line-arguments", "main", Path("/app"), False, False)
    cmd = parse("build", ["-gcflags=example.com/...=-N -l", "main.go"])
    keyed = {p.import_path: (p, f"d{i}") for i, p in enumerate([std, lib, files])}
    overlay, gcflags = cachekeys.key_packages(keyed, lambda p: p.standard, cmd, ENV, Path("/app"), {})
    (stamp,) = overlay
    assert stamp == "/goroot/src/net/http/otelgo_rules.go"
    assert 'package http\n\nconst otelgoRules = "d0"\n' in Path(overlay[stamp]).read_text()
    assert gcflags == [
        # go build main.go builds only the named files: a stamp would not join.
        f"-gcflags=command-line-arguments=-l {MARKER}d2",  # GOFLAGS' all=-l
        f"-gcflags=example.com/lib=-N -l {MARKER}d1",  # the command line's, which come last
    ]


def test_a_test_mains_marker_goes_to_the_package_under_test(tmp_path, monkeypatch):
    """The go command compiles a test's generated main with the -gcflags
    of the package under test, which is unmatched here: its compile carries
    the marker, which the shim's fast path removes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    tested = Package("example.com/app/fetch", "fetch", Path("/app/fetch"), False, False)
    main = Package("example.com/app/fetch.test", "main", Path("/app/fetch"), False, False)
    keyed = {main.import_path: (main, "m1")}
    overlay, gcflags = cachekeys.key_packages(
        keyed, lambda p: True, parse("test", ["./fetch"]), ENV, Path("/app"), {tested.import_path: tested}
    )
    assert overlay == {}  # no stamp of package main in fetch's directory
    assert gcflags == [f"-gcflags=example.com/app/fetch=-l {MARKER}m1"]  # GOFLAGS' all=-l first


def test_the_token_covers_every_module_the_compile_side_imports():
    """An edit of any module an instrumented compile runs must change the
    token, or the go command would keep compiles made by the old code."""
    root = Path(cachekeys.__file__).parents[1]
    covered = set()
    for part in cachekeys._COMPILE_SIDE:
        path = root / part
        covered |= set(path.glob("*.py")) if path.is_dir() else {path}
    compile_side = covered - {root / n for n in cachekeys._NOT_COMPILE_SIDE}
    names = [".".join(("otelgo", *f.relative_to(root).with_suffix("").parts)) for f in sorted(compile_side)]
    script = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "for m in list(sys.modules.values()):\n"
        "    if m.__name__.startswith('otelgo') and getattr(m, '__file__', None):\n"
        "        print(m.__file__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, check=True)
    imported = {Path(f) for f in proc.stdout.split()}
    # (A package's __init__.py holds no code of the compile side.)
    assert not {f for f in imported - covered if f.name != "__init__.py"}, sorted(imported - covered)
