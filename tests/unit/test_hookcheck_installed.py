"""The hook checks of the standard library's targets, made when otelgo is
installed (otelgo/plan/hookcheck.py: install_std_checks), with the real go
command and the built-in rules: a build with an empty cache takes those
verdicts and checks only the other hooks. The checks themselves, a hook
that does not fit stopping the build: tests/e2e/gocommand/test_rules_build.py."""

from __future__ import annotations

import os
import stat

import pytest

from otelgo.gocmd.golist import list_deps
from otelgo.plan import hookcheck
from otelgo.resources import rules_dir
from otelgo.ruleset.load import builtin_rule_files, describe, load_all
from otelgo.ruleset.model import FunctionRule


@pytest.fixture
def installed(tmp_path, monkeypatch):
    monkeypatch.setattr(hookcheck, "installed_dir", lambda: tmp_path / "installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "installed"


def net_http_rules():
    rules = [r for r in load_all(builtin_rule_files()) if isinstance(r, FunctionRule) and r.ImportPath == "net/http"]
    assert rules, "the built-in rules hook net/http"
    return rules


def listed(rules):
    env = {k: v for k, v in os.environ.items() if k != "GOFLAGS"} | {"GOWORK": "off"}
    patterns = sorted({"net/http"} | {r.Path for r in rules})
    return {p.import_path: p for p in list_deps(patterns, [], rules_dir(), env)}


def test_a_build_with_an_empty_cache_takes_the_verdicts_made_at_installation(installed, tmp_path, monkeypatch):
    rules = net_http_rules()
    packages = listed(rules)
    into = hookcheck.install_std_checks()
    assert into == installed
    for path in [installed, *installed.iterdir()]:  # an installation other users build with
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    applied = {"net/http": rules}
    monkeypatch.setattr(hookcheck, "_compare", lambda *a: pytest.fail(f"checked again: {a[0].Name}"))
    verdict = hookcheck.check_hooks(applied, packages, [], tmp_path / "cache" / "checked", describe)
    assert verdict.problems == [] and verdict.missing == []


def test_without_them_the_build_checks_each_hook(installed, tmp_path, monkeypatch):
    rules = net_http_rules()
    packages = listed(rules)
    compared = []
    real = hookcheck._compare
    monkeypatch.setattr(hookcheck, "_compare", lambda rule, *a: compared.append(rule.Name) or real(rule, *a))
    verdict = hookcheck.check_hooks({"net/http": rules}, packages, [], tmp_path / "cache" / "checked", describe)
    assert verdict.problems == []
    assert sorted(compared) == sorted(r.Name for r in rules)
