"""The remembered plan (otelgo/plan/memo.py): the same inputs give the last
plan and its build dir without planning; any change of an input is a miss."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from otelgo.config import Config
from otelgo.gocmd.flags import parse
from otelgo.gocmd.golist import GoEnv, Package
from otelgo.plan import memo
from otelgo.plan.match import Match
from otelgo.plan.result import Plan
from otelgo.ruleset.model import FileRule, FunctionRule


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A main module with a package, a module cache, otelgo's cache, code
    and rules trees of their own, and a build dir planned into."""
    app = tmp_path / "app"
    (app / "lib").mkdir(parents=True)
    (app / "go.mod").write_text("module example.com/app\n\ngo 1.24\n")
    (app / "main.go").write_text("package main\n\nfunc main() {}\n")
    (app / "lib" / "lib.go").write_text("package lib\n")
    modcache = tmp_path / "modcache"
    (modcache / "example.com" / "dep@v1.0.0").mkdir(parents=True)
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GOENV", raising=False)
    for name in ("code", "templates", "rules"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(name)
    monkeypatch.setattr(memo, "package_dir", lambda: tmp_path / "code")
    monkeypatch.setattr(memo, "templates_dir", lambda: tmp_path / "templates")
    monkeypatch.setattr(memo, "rules_dir", lambda: tmp_path / "rules")
    generated = xdg / "otelgo" / "generated" / "bootstrap.go"
    generated.parent.mkdir(parents=True)
    generated.write_text("package main\n")
    env = GoEnv("go1.26.8", tmp_path / "goroot", str(app / "go.mod"), "", modcache, tmp_path / "gocache")
    return tmp_path, app, env, generated


def _plan(
    tmp_path: Path,
    app: Path,
    generated: Path,
    build: Path,
    file_rule: Path | None = None,
    mod: str = "",
    targeted: bool = False,
) -> Plan:
    build.mkdir()
    (build / "otel.mod").write_text(f"module example.com/app\nreplace x => {generated.parent}\n{mod}")
    (build / "otel.sum").write_text("")
    (build / "overlay.json").write_text(json.dumps({"Replace": {str(app / "otelgo_bootstrap.go"): str(generated)}}))
    (build / "plan.json").write_text("{}")
    (build / "packages.txt").write_text("token\nmain\n")
    (build / "list.json").write_text("{}")
    main = Package("example.com/app", "main", app, False, False, "example.com/app", "", str(app))
    lib = Package("example.com/app/lib", "lib", app / "lib", False, False, "example.com/app", "", str(app))
    dep = Package("example.com/dep", "dep", tmp_path / "modcache" / "example.com" / "dep@v1.0.0", False, True)
    rules = [FileRule(ImportPath="main", File=str(file_rule))] if file_rule else []
    # A rule on package main: planning reads the signatures of its functions.
    match = Match(applied={"main": [FunctionRule(ImportPath="main", Function="main", OnEnter="E", Path="h")]})
    return Plan(
        build,
        [f"-modfile={build / 'otel.mod'}", f"-overlay={build / 'overlay.json'}"],
        {},
        [main, lib, dep],
        match if targeted else Match(),
        commands={"example.com/app": []} if targeted else {},
        rules=rules,
        token="token",
        file_path=build / "plan.json",
    )


def _stored(world, args=(".",), file_rule=None, mod="", targeted=False):
    tmp_path, app, env, generated = world
    cmd = parse("build", ["-o", "out", *args])
    key = memo.key(cmd, env, Config(), app)
    assert key is not None
    plan = _plan(tmp_path, app, generated, tmp_path / "build1", file_rule, mod, targeted)
    memo.store(key, plan, tmp_path / "build1", env, cmd.packages)
    return cmd, key


def _again(world, cmd, n=2):
    tmp_path, app, env, _ = world
    key = memo.key(cmd, env, Config(), app)
    build = tmp_path / f"build{n}"
    build.mkdir()
    return key, memo.load(key, build, whole=True) if key else None, build


def _touch(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))


def test_the_same_inputs_give_the_last_plan_in_a_new_build_dir(world):
    tmp_path = world[0]
    cmd, key = _stored(world)
    again, plan, build = _again(world, cmd)
    assert again == key and plan is not None
    assert plan.build_dir == build and plan.file_path == build / "plan.json"
    assert plan.go_flags == [f"-modfile={build / 'otel.mod'}", f"-overlay={build / 'overlay.json'}"]
    assert sorted(p.name for p in build.iterdir()) == [
        "otel.mod",
        "otel.sum",
        "overlay.json",
        "packages.txt",
        "plan.json",
    ]
    assert (build / "otel.mod").read_text() == (tmp_path / "build1" / "otel.mod").read_text()
    assert [p.import_path for p in plan.packages] == ["example.com/app", "example.com/app/lib", "example.com/dep"]
    core = memo.load(key, tmp_path / "build2", whole=False)
    assert core.packages == [] and core.go_flags == plan.go_flags  # the summary alone reads the packages


@pytest.mark.parametrize(
    "change",
    [
        lambda t, app: _touch(app / "main.go", 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println() }\n'),
        lambda t, app: (app / "lib" / "more.go").write_text("package lib\n"),  # a new file
        lambda t, app: (app / "lib" / "sub").mkdir(),  # a new directory
        lambda t, app: _touch(app / "go.mod", "module example.com/app\n\ngo 1.25\n"),
        lambda t, app: (app / "go.sum").write_text("x v1 h1:=\n"),
        lambda t, app: _touch(t / "rules" / "a.txt", "rules changed"),  # the rules tree
        lambda t, app: (t / "rules" / "b.json").write_text("[]"),
        lambda t, app: _touch(t / "code" / "a.txt", "code changed"),  # otelgo's code
        lambda t, app: _touch(t / "templates" / "a.txt", "templates changed"),
        lambda t, app: os.environ.__setitem__("GOFLAGS", "-tags=x"),  # the environment
        lambda t, app: os.environ.__setitem__("CGO_ENABLED", "0"),
        lambda t, app: (t / "config" / "go").mkdir(parents=True) or (t / "config" / "go" / "env").write_text("GOOS=x"),
        lambda t, app: (t / "xdg" / "otelgo" / "generated" / "bootstrap.go").unlink(),  # a file the build dir names
    ],
)
def test_a_change_of_an_input_is_a_miss(world, monkeypatch, change):
    monkeypatch.setenv("GOFLAGS", "")
    monkeypatch.setenv("CGO_ENABLED", "1")
    cmd, key = _stored(world)
    change(world[0], world[1])
    _, plan, _ = _again(world, cmd)
    assert plan is None


MAIN = (
    'package main\n\nimport "os"\n\nconst version = "1"\n\n'
    "func work(n int) int { return n }\n\nfunc main() { os.Exit(work(0)) }\n"
)


@pytest.mark.parametrize("targeted", [False, True], ids=["no rule on main", "a rule on main"])
@pytest.mark.parametrize(
    "edit",
    [
        lambda app: _touch(app / "main.go", MAIN.replace('"1"', '"2"')),  # a constant
        lambda app: _touch(app / "main.go", MAIN.replace("return n", "return n + 1")),  # a body
        lambda app: _touch(app / "lib" / "lib.go", "package lib\n\nvar X = 2\n"),
    ],
    ids=["constant", "body", "another package"],
)
def test_an_edit_planning_does_not_read_keeps_the_plan(world, targeted, edit):
    app = world[1]
    _touch(app / "main.go", MAIN)
    _touch(app / "lib" / "lib.go", "package lib\n\nvar X = 1\n")
    cmd, key = _stored(world, targeted=targeted)
    edit(app)
    assert _again(world, cmd)[1] is not None
    # The entry took the new sizes and times: the next build checks them alone.
    entry = memo.pickle.loads(memo._path(key).read_bytes())
    assert entry["manifest"] == memo._manifest(entry["dirs"], entry["walk"], entry["needed"], entry["watched"])
    assert _again(world, cmd, 3)[1] is not None


@pytest.mark.parametrize(
    ("edit", "targeted"),
    [
        (lambda app: _touch(app / "main.go", MAIN.replace('"os"', '"os"; "fmt"')), False),  # an import
        (lambda app: _touch(app / "main.go", "//go:build linux\n\n" + MAIN), False),  # a build constraint
        (lambda app: _touch(app / "main.go", MAIN.replace("(n int) int", "(n int64) int")), True),  # a signature
        (lambda app: _touch(app / "main.go", MAIN + "func more() {}\n"), True),  # a new function
        (lambda app: _touch(app / "main.go", MAIN.replace("func work", "//otel:span\nfunc work")), False),
        (lambda app: _touch(app / "main_test.go", "package main\n"), False),  # a test's file (a new one)
        (lambda app: _touch(app / "more.txt", "x"), False),  # a new file, even not Go
    ],
    ids=["import", "constraint", "signature", "new function", "otel comment", "test file", "new file"],
)
def test_an_edit_planning_reads_is_a_miss(world, edit, targeted):
    app = world[1]
    _touch(app / "main.go", MAIN)
    (app / "main_test.go").write_text("package main\n\n// a test\n")
    (app / "data.txt").write_text("")
    cmd, _ = _stored(world, targeted=targeted)
    edit(app)
    assert _again(world, cmd)[1] is None


def test_a_file_the_go_command_does_not_read_is_watched_for_being_there(world):
    """The binary `go build` writes beside main.go changes with every
    build: the plan holds while it is there."""
    app = world[1]
    (app / "app").write_bytes(b"\x7fELF 1")
    cmd, _ = _stored(world)
    _touch(app / "app", "\x7fELF 22")
    assert _again(world, cmd)[1] is not None
    (app / "app").unlink()
    assert _again(world, cmd, 3)[1] is None


def test_a_package_with_an_otel_comment_plans_again_on_any_edit(world):
    app = world[1]
    (app / "lib" / "span.go").write_text("package lib\n\n//otel:span\nfunc Work() {}\n")
    cmd, _ = _stored(world)
    _touch(app / "lib" / "lib.go", "package lib\n\nvar X = 2\n")  # the package's other file, no comment
    assert _again(world, cmd)[1] is None


def test_flags_that_change_only_what_go_prints_are_not_in_the_key(world):
    _, app, env, _ = world
    cmd, key = _stored(world)
    for flags in (["-x"], ["-v", "-debug-trace=t1.json"], ["-debug-trace", "t2.json", "-json"]):
        assert memo.key(parse("build", ["-o", "out", *flags, "."]), env, Config(), app) == key, flags
    assert memo.key(parse("build", ["-o", "out", "-x", "-race", "."]), env, Config(), app) != key


def test_the_command_line_and_the_settings_are_in_the_key(world):
    tmp_path, app, env, _ = world
    cmd, key = _stored(world)
    assert memo.key(parse("build", ["-o", "out", "-race", "."]), env, Config(), app) != key
    assert memo.key(parse("install", ["."]), env, Config(), app) != key
    assert memo.key(cmd, env, Config(file=app / "otelgo.toml"), app) != key
    assert memo.key(cmd, env, Config(), app / "lib") != key
    other = GoEnv("go1.26.9", env.goroot, env.gomod, env.gowork, env.gomodcache, env.gocache)
    assert memo.key(cmd, other, Config(), app) != key
    rules = tmp_path / "my-rules.json"
    rules.write_text("[]")
    with_rules = Config(rule_files=[(rules, "command line")])
    before = memo.key(cmd, env, with_rules, app)
    _touch(rules, "[ ]")
    assert memo.key(cmd, env, with_rules, app) != before


def test_a_file_rules_file_is_watched(world):
    tmp_path = world[0]
    added = tmp_path / "added.go"
    added.write_text("package main\n")
    cmd, _ = _stored(world, file_rule=added)
    assert _again(world, cmd)[1] is not None
    _touch(added, "package main\n\nvar x = 1\n")
    assert _again(world, cmd, 3)[1] is None


def test_a_new_package_under_a_dots_pattern_is_a_miss(world):
    app = world[1]
    cmd, _ = _stored(world, args=("./...",))
    (app / "lib" / "deep" / "er").mkdir(parents=True)
    (app / "lib" / "deep" / "er" / "x.go").write_text("package er\n")
    assert _again(world, cmd)[1] is None


@pytest.mark.parametrize(
    "args",
    [
        ["--explain", "."],
        ["--show-injected", "."],
        ["--injected-dir", "d", "."],
        ["--json", "."],
        ["-modfile=other.mod", "."],
        ["-overlay=o.json", "."],
    ],
)
def test_builds_whose_plan_is_not_remembered(world, args):
    _, app, env, _ = world
    assert memo.key(parse("build", args), env, Config(), app) is None


def test_run_test_and_workspaces_are_not_remembered(world):
    _, app, env, _ = world
    assert memo.key(parse("test", ["."]), env, Config(), app) is None
    assert memo.key(parse("run", ["."]), env, Config(), app) is None
    work = GoEnv(env.goversion, env.goroot, env.gomod, str(app / "go.work"), env.gomodcache, env.gocache)
    assert memo.key(parse("build", ["."]), work, Config(), app) is None


def test_a_damaged_entry_is_a_miss(world):
    tmp_path = world[0]
    cmd, key = _stored(world)
    (entry,) = (tmp_path / "xdg" / "otelgo" / "plans").iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    assert _again(world, cmd)[1] is None


def test_a_replacement_directory_s_go_mod_is_watched(world):
    """A module replaced by a directory is in the module graph even when no
    package of it is built: its go.mod may change the versions selected."""
    tmp_path, app = world[0], world[1]
    other = tmp_path / "other"
    other.mkdir()
    (other / "go.mod").write_text("module example.com/other\n")
    _touch(app / "go.mod", "module example.com/app\n\ngo 1.24\n\nreplace example.com/other => ../other\n")
    cmd, _ = _stored(world)
    assert _again(world, cmd)[1] is not None
    _touch(other / "go.mod", "module example.com/other\n\nrequire example.com/dep v1.1.0\n")
    assert _again(world, cmd, 3)[1] is None


def test_a_module_copy_otelgo_replaces_with_is_watched(world):
    """otel.mod quotes the directories otelgo writes (fitted or copied
    modules in its cache): a remembered plan whose copy is gone is a miss,
    or the go command would find no replacement directory."""
    tmp_path = world[0]
    copy = tmp_path / "xdg" / "otelgo" / "modcopy" / "example.com" / "x@v1.0.0"
    copy.mkdir(parents=True)
    (copy / "go.mod").write_text("module example.com/x\n")
    cmd, _ = _stored(world, mod=f'replace example.com/x => "{copy}"\n')
    assert _again(world, cmd)[1] is not None
    (copy / "go.mod").unlink()
    copy.rmdir()
    assert _again(world, cmd, 3)[1] is None
