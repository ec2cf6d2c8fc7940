"""Choosing and writing the modules of an instrumented build
(otelgo/plan/modules.py), without the go command: the go.mod copy the
build uses, which hook modules join, and which stay out rather than raise
a user's library."""

from __future__ import annotations

from otelgo.hookapi import ROOT_MODULE
from otelgo.plan import modules
from otelgo.resources import rules_dir
from otelgo.ruleset.model import FunctionRule

USER_GOMOD = """module example.com/app

go 1.22

require github.com/gin-gonic/gin v1.9.1
"""


def test_hook_modules_are_found_in_library_folders_nested_ones_too():
    found = {m.path: m.dir for m in modules.hook_modules()}
    assert found[ROOT_MODULE] == rules_dir()
    assert found[f"{ROOT_MODULE}/gin"] == rules_dir() / "gin"
    assert found[f"{ROOT_MODULE}/zap/zapexport"] == rules_dir() / "zap" / "zapexport"


def test_a_hook_package_belongs_to_the_longest_module_path():
    assert modules.module_of(f"{ROOT_MODULE}/zap/zapexport").path == f"{ROOT_MODULE}/zap/zapexport"
    assert modules.module_of(f"{ROOT_MODULE}/zap").path == f"{ROOT_MODULE}/zap"
    assert modules.module_of(f"{ROOT_MODULE}/nethttp").path == ROOT_MODULE
    assert modules.module_of("example.com/hooks") is None


def test_the_go_mod_copy_keeps_the_users_and_adds_the_hook_modules(tmp_path):
    user = tmp_path / "app"
    user.mkdir()
    (user / "go.mod").write_text(USER_GOMOD)
    (user / "go.sum").write_text("github.com/a v1.0.0 h1:x=\n")
    build = tmp_path / "build"
    build.mkdir()
    needed = [m for m in modules.hook_modules() if m.path in (ROOT_MODULE, f"{ROOT_MODULE}/gin")]
    setup = modules._module(user / "go.mod", build, needed)
    text = (build / "otel.mod").read_text()
    assert text.startswith(USER_GOMOD.rstrip("\n"))
    assert f"require {ROOT_MODULE}/gin v0.0.0" in text
    assert f'replace {ROOT_MODULE}/gin => "{rules_dir() / "gin"}"' in text
    assert setup.flags == [f"-modfile={build / 'otel.mod'}"]
    sums = (build / "otel.sum").read_text().splitlines()
    assert sums[0] == "github.com/a v1.0.0 h1:x="
    assert len(sums) == len(set(sums))  # merged, each line once
    assert (user / "go.mod").read_text() == USER_GOMOD  # the user's file is only read


def _rule(import_path, path):
    return FunctionRule(ImportPath=import_path, Function="F", OnEnter="E", Path=path)


def test_a_library_older_than_its_hook_module_stays_uninstrumented():
    gin = _rule("github.com/gin-gonic/gin", f"{ROOT_MODULE}/gin")
    minimum = modules._direct_requirements(rules_dir() / "gin" / "go.mod")["github.com/gin-gonic/gin"]
    notes: list[str] = []
    needed = modules._needed([gin], {"github.com/gin-gonic/gin": "v1.0.0"}, notes)
    assert [m.path for m in needed] == [ROOT_MODULE]
    assert notes == [
        f"github.com/gin-gonic/gin v1.0.0 is older than {minimum}, the oldest version "
        f"{ROOT_MODULE}/gin supports: its rules are left out"
    ]
    needed = modules._needed([gin], {"github.com/gin-gonic/gin": minimum}, notes)
    assert [m.path for m in needed] == [ROOT_MODULE, f"{ROOT_MODULE}/gin"]


def test_a_library_the_build_does_not_require_brings_no_hook_module():
    gin = _rule("github.com/gin-gonic/gin", f"{ROOT_MODULE}/gin")
    assert [m.path for m in modules._needed([gin], {"example.com/other": "v1.0.0"}, [])] == [ROOT_MODULE]


def test_another_major_version_of_a_library_brings_no_hook_module():
    """echo v4's rules name github.com/labstack/echo/v4, which a module
    requiring only echo v3 (github.com/labstack/echo) does not provide."""
    v4 = _rule("github.com/labstack/echo/v4", f"{ROOT_MODULE}/echo")
    v3 = _rule("github.com/labstack/echo", f"{ROOT_MODULE}/echo/echov3")
    only_v3 = {"github.com/labstack/echo": "v3.3.10+incompatible"}
    assert [m.path for m in modules._needed([v4, v3], only_v3, [])] == [ROOT_MODULE, f"{ROOT_MODULE}/echo/echov3"]
    both = {**only_v3, "github.com/labstack/echo/v4": "v4.16.0"}
    assert [m.path for m in modules._needed([v4, v3], both, [])] == [
        ROOT_MODULE,
        f"{ROOT_MODULE}/echo",
        f"{ROOT_MODULE}/echo/echov3",
    ]
    # A package below the module path is the module's.
    assert modules._library_module("github.com/a/b/c", {"github.com/a/b": "v1.0.0"}) == "github.com/a/b"
    assert modules._library_module("github.com/a/b/v2/c", {"github.com/a/b": "v1.0.0"}) is None


def test_direct_requirements_leave_out_indirect_ones(tmp_path):
    gomod = tmp_path / "go.mod"
    gomod.write_text(
        "module m\n\nrequire (\n\tgithub.com/a/b v1.2.3\n\tgithub.com/c/d v0.1.0 // indirect\n)\n"
        "require golang.org/x/net v0.30.0\n"
    )
    assert modules._direct_requirements(gomod) == {"github.com/a/b": "v1.2.3", "golang.org/x/net": "v0.30.0"}


def test_the_newest_go_line():
    assert modules._newest_go(["1.22", "1.24.0", "1.24", ""]) == "1.24.0"
    assert modules._newest_go([]) == ""


def _complete(tmp_path, monkeypatch, out: str = "\n\n"):
    """plan._complete_modfile on a go.mod copy, with a go command that
    completes it (and says `out`); the go commands run."""
    from pathlib import Path

    from otelgo.gocmd.golist import GoEnv
    from otelgo.plan import plan

    mod, overlay = tmp_path / "otel.mod", tmp_path / "list.json"
    mod.write_text("module example.com/app\n")
    mod.with_suffix(".sum").unlink(missing_ok=True)
    overlay.write_text('{"Replace": {}}')
    calls = []

    def go(args, cwd, env=None):
        calls.append(args)
        mod.write_text("module example.com/app\n\nrequire go.opentelemetry.io/otel v1.41.0 // indirect\n")
        mod.with_suffix(".sum").write_text("go.opentelemetry.io/otel v1.41.0 h1:x=\n")
        return out

    monkeypatch.setattr(plan, "run_go", go)
    setup = modules.ModuleSetup(flags=[f"-modfile={mod}"], modfile=mod)
    env = GoEnv("go1.26.8", Path("/goroot"), str(tmp_path / "go.mod"), "", Path("/modcache"), Path("/gocache"), "")
    plan._complete_modfile(setup, ["otelgo.dev/rules/sdk"], overlay, ["-tags=x"], tmp_path, {"GOFLAGS": ""}, env)
    return mod, calls


def test_the_go_mod_copy_is_completed_for_otelgos_packages_once(tmp_path, monkeypatch):
    """-mod=mod on otelgo's packages alone (the user's keep their -mod); an
    unchanged rebuild takes the completed copy from the cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mod, calls = _complete(tmp_path, monkeypatch)
    (args,) = calls
    assert "-mod=mod" in args and args[-2:] == ["--", "otelgo.dev/rules/sdk"] and "-tags=x" in args
    completed = mod.read_text()
    mod, calls = _complete(tmp_path, monkeypatch)
    assert calls == [] and mod.read_text() == completed
    assert mod.with_suffix(".sum").read_text() == "go.opentelemetry.io/otel v1.41.0 h1:x=\n"


def test_a_completion_with_errors_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _, calls = _complete(tmp_path, monkeypatch, out="\nerror\n")
    _, calls = _complete(tmp_path, monkeypatch, out="\nerror\n")
    assert len(calls) == 1  # run again: nothing was kept
