"""Rule files and version ranges: bad input is named precisely, and a build
with a bad rule stops before any compile."""

from __future__ import annotations

import json
import subprocess
import sys

import harness
import pytest

from otelgo.ruleset.load import builtin_rule_files, load_all, load_file
from otelgo.ruleset.syntax import RuleError
from otelgo.versions import Version, VersionError, VersionRange

GOOD = {"Name": "r", "ImportPath": "example.com/lib", "Function": "F", "OnEnter": "Enter", "Path": "example.com/hooks"}


def write(tmp_path, rules) -> object:
    path = tmp_path / "rules.json"
    path.write_text(rules if isinstance(rules, str) else json.dumps(rules))
    return path


def problems(tmp_path, rules) -> list[str]:
    with pytest.raises(RuleError) as info:
        load_file(write(tmp_path, rules))
    return info.value.problems


def test_builtin_rules_are_valid():
    rules = load_all(builtin_rule_files())
    assert {r.ImportPath for r in rules} >= {"net/http", "os", "main"}
    names = [r.Name for r in rules]
    assert len(names) == len(set(names))


def test_malformed_json_names_file_line_and_column(tmp_path):
    (problem,) = problems(tmp_path, '[{"Name": "x",\n  "Function": }]')
    assert problem.startswith(f"{tmp_path / 'rules.json'}:2:")
    assert "not valid JSON" in problem


def test_each_bad_field_is_named_with_its_rule(tmp_path):
    bad = [
        GOOD,
        dict(GOOD, Name="range", Version="[1.2"),
        dict(GOOD, Name="extra", Receiver="*T"),
        dict(GOOD, Name="nohook", OnEnter=None),
        dict(GOOD, Name="lower", OnExit="exit"),
        {"Name": "missing", "Function": "F", "OnEnter": "E"},
    ]
    found = problems(tmp_path, bad)
    path = tmp_path / "rules.json"
    assert (
        f'{path}: rule 1 (range): Version: \'[1.2\' is not a range (expected e.g. "[1.7.0,1.11.0)" or "[1.22.0,)")'
        in found
    )
    assert f"{path}: rule 2 (extra): Receiver: Extra inputs are not permitted" in found
    assert any(p.startswith(f"{path}: rule 3 (nohook): (rule): ") and "OnEnter, OnExit" in p for p in found)
    assert f"{path}: rule 4 (lower): OnExit: 'exit' is not an exported Go function name" in found
    assert f"{path}: rule 5 (missing): ImportPath: Field required" in found
    assert any(p.startswith(f"{path}: rule 5 (missing): Path: a function rule needs Path") for p in found)
    assert len(found) == 6


def test_not_an_array(tmp_path):
    assert problems(tmp_path, '"rules"') == [
        f"{tmp_path / 'rules.json'}: a rule file holds a JSON array of rules or an object with Rules, not a string"
    ]
    assert problems(tmp_path, GOOD) == [
        f"{tmp_path / 'rules.json'}: a rule file holds a JSON array of rules or an object with Rules, "
        "not one rule: put it in [ ]"
    ]
    assert problems(tmp_path, {"Rules": [GOOD]}) == [f"{tmp_path / 'rules.json'}: header: Library: Field required"]


@pytest.mark.parametrize(
    "version,inside",
    [
        ("v1.9.0", True),
        ("v1.7.0", True),
        ("v1.11.0", False),
        ("v1.6.9", False),
        ("v1.11.0-rc.1", True),  # a pre-release sorts before its release
        ("v1.10.1-0.20230101120000-abcdefabcdef", True),  # pseudo-version after v1.10.0
        ("v1.7.0-0.20200101000000-abcdefabcdef", False),  # pseudo-version before v1.7.0
        ("v1.8.0+incompatible", True),
    ],
)
def test_version_ranges(version, inside):
    assert VersionRange.parse("[1.7.0,1.11.0)").contains(Version.parse(version)) is inside


def test_go_toolchain_versions():
    assert Version.parse("go1.22rc1") < Version.parse("go1.22rc2") < Version.parse("go1.22.0") == Version.parse("1.22")
    assert VersionRange.parse("[1.24.0,)").contains(Version.parse("go1.26.8"))
    assert VersionRange.parse("[1.2.3]").contains(Version.parse("v1.2.3"))


@pytest.mark.parametrize("text", ["1.2", "[1.2", "[2.0,1.0)", "(1.0,1.0)", "[a,b)", "(1.0,]", "[1,2,3]"])
def test_bad_ranges_are_errors(text):
    with pytest.raises(VersionError):
        VersionRange.parse(text)


def _otel(*args, cwd=None):
    env = harness.clean_env()
    env["PYTHONPATH"] = str(harness.REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "otelgo", *args],
        cwd=cwd or harness.REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_rules_list_shows_builtin_rules_with_versions():
    out = _otel("rules", "list").stdout
    line = next(line for line in out.splitlines() if line.startswith("nethttp-client "))
    assert "net/http" in line and "(*Transport).RoundTrip" in line and "[1.24.0,)" in line


def test_rules_check_reports_every_problem(tmp_path):
    good = write(tmp_path, [GOOD])
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([dict(GOOD, Name="b", Version="[9,1)"), {"Name": "c", "Kind": "magic", "ImportPath": "x"}])
    )
    proc = _otel("rules", "check", str(good), str(bad))
    assert proc.returncode == 2
    assert f"{good}: 1 rule, valid" in proc.stdout
    assert f"otel: {bad}: rule 0 (b): Version: '[9,1)' is empty: no version can be in it" in proc.stderr
    assert f"otel: {bad}: rule 1 (c): Kind: 'magic' is not one of function, raw, struct, file" in proc.stderr
