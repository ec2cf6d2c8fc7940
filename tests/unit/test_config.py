"""otelgo.toml (otelgo/config.py) and --without (otelgo/plan/without.py),
without the go command."""

from __future__ import annotations

from pathlib import Path

import pytest

from otelgo.config import ConfigError, effective, project_file
from otelgo.gocmd.flags import parse
from otelgo.gocmd.golist import GoEnv
from otelgo.plan.without import WithoutError, leave_out, names
from otelgo.ruleset.load import builtin_rule_files, load_all


def env_for(module: Path) -> GoEnv:
    return GoEnv("go1.26.8", Path("/goroot"), str(module / "go.mod"), "", Path("/modcache"), Path("/cache"))


@pytest.fixture
def module(tmp_path, monkeypatch):
    monkeypatch.delenv("OTELGO_RULES", raising=False)
    (tmp_path / "go.mod").write_text("module example.com/m\n")
    (tmp_path / "rules.json").write_text("[]")
    return tmp_path


def test_no_project_file(module):
    config = effective(parse("build", ["."]), env_for(module))
    assert project_file(env_for(module)) is None and config.file is None
    assert (config.without.value, config.without.source) == ([], "default")
    assert (config.allow_upgrades.value, config.allow_upgrades.source) == (False, "default")


def test_values_and_where_they_came_from(module, monkeypatch):
    (module / "otelgo.toml").write_text(
        '\n# comment\nrules = ["rules.json"]\n"without" = ["nethttp"]\nallow-upgrades = true\nexporters = []\n'
    )
    (module / "env.json").write_text("[]")
    monkeypatch.setenv("OTELGO_RULES", str(module / "env.json"))
    config = effective(parse("build", ["--rules", str(module / "rules.json"), "."]), env_for(module))
    assert config.file == module / "otelgo.toml"
    assert config.rule_files == [
        (module / "rules.json", "otelgo.toml:3"),
        (module / "env.json", "OTELGO_RULES (environment)"),
        (module / "rules.json", "command line"),
    ]
    assert (config.without.value, config.without.source) == (["nethttp"], "otelgo.toml:4")
    assert (config.allow_upgrades.value, config.allow_upgrades.source) == (True, "otelgo.toml:5")
    assert (config.exporters.value, config.exporters.source) == ([], "otelgo.toml:6")
    flagged = effective(parse("build", ["--without=gorm", "--exporters", "console", "."]), env_for(module))
    assert (flagged.without.value, flagged.without.source) == (["gorm"], "command line")
    assert (flagged.exporters.value, flagged.exporters.source) == (["console"], "command line")


@pytest.mark.parametrize(
    "text,message",
    [
        ("rules = [", "not valid TOML"),
        ("allow_upgrades = true", ":1: unknown key allow_upgrades (did you mean allow-upgrades?)"),
        ('colour = "red"', ":1: unknown key colour; the keys are rules, without, exporters, allow-upgrades"),
        ('without = "nethttp"', ':1: without must be a list of strings, like ["a", "b"]'),
        ("rules = [1]", ":1: rules must be a list of strings"),
        ('rules = ["missing.json"]', ":1: rules: missing.json is not a file"),
    ],
)
def test_mistakes(module, text, message):
    (module / "otelgo.toml").write_text(text + "\n")
    with pytest.raises(ConfigError, match=None) as e:
        effective(parse("build", ["."]), env_for(module))
    assert message in str(e.value)


def test_without_names_as_the_run_time_switches_do():
    assert names("net/http", "otelgo.dev/rules/nethttp") and names("NetHTTP", "otelgo.dev/rules/nethttp")
    assert names("goredis", "otelgo.dev/rules/goredis/goredisv8")
    assert names("goredis/goredisv8", "otelgo.dev/rules/goredis/goredisv8")
    assert not names("rules/nethttp", "otelgo.dev/rules/nethttp") and not names("http", "otelgo.dev/rules/nethttp")
    assert not names("/", "otelgo.dev/rules/nethttp")


def test_without_leaves_out_a_librarys_rules_and_refuses_what_is_not_one():
    rules = load_all(builtin_rule_files())
    kept, left = leave_out(rules, ["goredis"])
    assert left and {r.hook_package for r in left} == {
        "otelgo.dev/rules/goredis",
        "otelgo.dev/rules/goredis/goredisv8",
    }
    assert len(kept) + len(left) == len(rules)
    with pytest.raises(WithoutError, match="--without goroutine: otelgo.dev/rules/goroutine is not an instrumentation"):
        leave_out(rules, ["goroutine"])
    with pytest.raises(
        WithoutError,
        match=r"--without kafka: no instrumentation has that name \(did you mean kafkago\?\); known: amqp091, ",
    ):
        leave_out(rules, ["kafka"])
    assert leave_out(rules, ["annotate"])[1] == []  # //otel:span comments: planning leaves them out
