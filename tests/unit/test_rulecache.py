"""The validated-rules cache: a rule file validated once loads again without
pydantic, as the same rules; any change to the file, and any damage to the
cache, means validating again, with the same errors as ever."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import harness
import pytest

from otelgo.gocmd.golist import Package
from otelgo.plan.spancomments import annotated_rules
from otelgo.ruleset import cache as rulecache
from otelgo.ruleset.load import builtin_rule_files, load_all, load_file
from otelgo.ruleset.model import SpanRule
from otelgo.ruleset.syntax import RuleError

GOOD = [
    {
        "Name": "fn",
        "ImportPath": "example.com/lib",
        "Function": "F",
        "ReceiverType": "*T",
        "OnEnter": "Enter",
        "Path": "example.com/hooks",
        "Version": "[1.0.0,2.0.0)",
        "Order": "3",
    },  # "3": pydantic makes it 3
    {"Name": "raw", "Kind": "raw", "ImportPath": "example.com/lib", "Function": "F", "Raw": "_ = 1"},
    {"Name": "st", "Kind": "struct", "ImportPath": "runtime", "StructType": "g", "FieldName": "f", "FieldType": "any"},
    {"Name": "fi", "Kind": "file", "ImportPath": "example.com/lib", "File": "extra.go"},
    {"Name": "sp", "Kind": "span", "ImportPath": "example.com/lib", "Function": "G", "Attributes": {"k": "v"}},
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """otelgo's cache in a temporary directory; its rules entries. No
    entries made at installation."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(rulecache, "installed_dir", lambda: tmp_path / "installed")
    return tmp_path / "cache" / "otelgo" / "rules"


@pytest.fixture
def rule_file(tmp_path):
    d = tmp_path / "hooks"
    d.mkdir()
    (d / "extra.go").write_text("package lib\n")
    path = d / "rules.json"
    path.write_text(json.dumps(GOOD))
    return path


def load_in_subprocess(path, cache_home) -> dict:
    """Load a rule file in a fresh interpreter: the rules, and whether
    pydantic was imported to get them."""
    code = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from otelgo.ruleset.load import load_file
        rules = load_file(Path({str(path)!r}))
        print(json.dumps({{"pydantic": "pydantic" in sys.modules, "rules": [r.to_dict() for r in rules]}}))
    """)
    env = harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT), "XDG_CACHE_HOME": str(cache_home)})
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_second_load_imports_no_pydantic_and_gives_the_same_rules(tmp_path, rule_file):
    first = load_in_subprocess(rule_file, tmp_path / "cache")
    second = load_in_subprocess(rule_file, tmp_path / "cache")
    assert first["pydantic"] is True and second["pydantic"] is False
    assert second["rules"] == first["rules"]
    assert [r["Kind"] for r in first["rules"]] == ["function", "raw", "struct", "file", "span"]
    assert first["rules"][0]["Order"] == 3 and first["rules"][3]["File"] == str(rule_file.parent / "extra.go")


def test_rules_from_cache_equal_rules_validated_fresh(cache):
    fresh = load_all(builtin_rule_files())
    assert cache.is_dir() and len(list(cache.iterdir())) == len(builtin_rule_files())
    cached = load_all(builtin_rule_files())
    assert cached == fresh
    assert [r.to_dict() for r in cached] == [r.to_dict() for r in fresh]
    assert [type(r) for r in cached] == [type(r) for r in fresh]


def test_an_edited_file_is_validated_again(cache, rule_file):
    load_file(rule_file)
    # The same length, one field made invalid: the cached validation must not answer.
    rule_file.write_text(json.dumps(GOOD).replace('"OnEnter": "Enter"', '"OnEnter": "enter"'))
    with pytest.raises(RuleError) as info:
        load_file(rule_file)
    assert info.value.problems == [f"{rule_file}: rule 0 (fn): OnEnter: 'enter' is not an exported Go function name"]


def test_invalid_files_are_not_cached(cache, rule_file):
    rule_file.write_text(json.dumps([dict(GOOD[0], Version="[2.0,1.0)")]))
    for _ in range(2):  # the second load reports the same, from validation
        with pytest.raises(RuleError) as info:
            load_file(rule_file)
        assert info.value.problems == [
            f"{rule_file}: rule 0 (fn): Version: '[2.0,1.0)' is empty: no version can be in it"
        ]
    assert not cache.exists() or not list(cache.iterdir())


@pytest.mark.parametrize(
    "damage",
    [
        b"",  # empty
        b'[{"Name": "fn", "Kind": "funct',  # cut short
        b"\xff\xfe garbage",  # not JSON
        b"[]",  # not an object
        b'{"library": null, "rules": [{"Kind": "nosuchkind"}]}',  # no such rule type
        b'{"library": null, "rules": [{"Kind": "function", "Unknown": 1}]}',  # fields that no rule has
        # a field of the wrong type
        json.dumps({"library": None, "rules": [dict(GOOD[0], Order=3, Kind="function", Function=["F"])]}).encode(),
        json.dumps({"library": None, "rules": [dict(GOOD[4], Attributes=[1])]}).encode(),
        json.dumps(
            {"library": {"name": 3, "metrics": [], "log_bridge": None, "gives": None, "note": None}, "rules": []}
        ).encode(),
    ],
)
def test_a_damaged_cache_entry_is_validated_again(cache, rule_file, damage):
    fresh = load_file(rule_file)
    (entry,) = cache.iterdir()
    entry.write_bytes(damage)
    assert load_file(rule_file) == fresh
    # Validated again and written back whole.
    assert json.loads(entry.read_bytes()) == {
        "library": None,
        "rules": [dict(r.to_dict(), File="extra.go") if r.Kind == "file" else r.to_dict() for r in fresh],
    }


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path, monkeypatch, rule_file):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert [r.Name for r in load_file(rule_file)] == ["fn", "raw", "st", "fi", "sp"]


def test_a_file_rules_go_file_is_checked_on_every_load(cache, rule_file):
    """The rule file's bytes are unchanged, but its Go file is gone."""
    load_file(rule_file)
    (rule_file.parent / "extra.go").unlink()
    with pytest.raises(RuleError) as info:
        load_file(rule_file)
    assert info.value.problems == [f"{rule_file}: rule 3 (fi): File: 'extra.go' is not a Go file beside the rule file"]


def test_the_key_follows_the_bytes_and_the_validation_code(monkeypatch):
    assert rulecache.key(b"[]") == rulecache.key(b"[]") != rulecache.key(b"[ ]")
    before = rulecache.key(b"[]")
    monkeypatch.setattr(rulecache, "__version__", "0.0.0-other")
    rulecache._code_digest.cache_clear()
    try:
        assert rulecache.key(b"[]") != before
    finally:
        monkeypatch.undo()
        rulecache._code_digest.cache_clear()


# --- span comments: the same checks, without pydantic ------------------------


def package_with(tmp_path, source: str) -> Package:
    (tmp_path / "shop.go").write_text(source)
    return Package(
        import_path="example.com/shop", name="shop", dir=tmp_path, standard=False, dep_only=False, go_files=["shop.go"]
    )


def test_span_comments_make_span_rules(tmp_path):
    pkg = package_with(tmp_path, "package shop\n\n//otel:span quote shop.currency=EUR\nfunc (c *Cart[T]) Quote() {}\n")
    (rule,) = annotated_rules(pkg, "example.com/shop")
    assert rule == SpanRule(
        ImportPath="example.com/shop",
        Function="Quote",
        ReceiverType="*Cart",
        SpanName="quote",
        Attributes={"shop.currency": "EUR"},
        Name="shop.go:4 //otel:span",
    )
    assert rule.to_dict()["Kind"] == "span"


def test_span_comment_on_a_name_rules_cannot_carry_is_an_error_naming_it(tmp_path):
    pkg = package_with(tmp_path, "package shop\n\n//otel:span\nfunc Größe() {}\n")
    with pytest.raises(RuleError) as info:
        annotated_rules(pkg, "example.com/shop")
    assert info.value.problems == [
        f"{tmp_path / 'shop.go'}:4: //otel:span: Function: 'Größe' is not a Go function name"
    ]


def test_span_comments_import_no_pydantic(tmp_path):
    pkg_dir = tmp_path / "shop"
    pkg_dir.mkdir()
    package_with(pkg_dir, "package shop\n\n//otel:span\nfunc Count() int { return 1 }\n")
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from otelgo.gocmd.golist import Package
        from otelgo.plan.spancomments import annotated_rules
        pkg = Package(import_path="example.com/shop", name="shop", dir=Path({str(pkg_dir)!r}), standard=False,
                      dep_only=False, go_files=["shop.go"])
        print([r.target for r in annotated_rules(pkg, "example.com/shop")], "pydantic" in sys.modules)
    """)
    env = harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT)})
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.stdout.split("\n")[0] == "['span Count'] False", proc.stderr


@pytest.mark.parametrize(
    "where",
    ["../outside.go", "ABSOLUTE", "link.go", "sub/../../outside.go"],
)
def test_a_file_rule_names_no_go_file_outside_its_directory(cache, tmp_path, where):
    """A rule file cannot make otelgo compile (or read) a Go file elsewhere
    on the machine: not up the tree, not by an absolute path, not through a
    symbolic link that leads out."""
    outside = tmp_path / "outside.go"
    outside.write_text("package lib\n")
    d = tmp_path / "hooks"
    d.mkdir()
    (d / "sub").mkdir()
    (d / "link.go").symlink_to(outside)
    name = str(outside) if where == "ABSOLUTE" else where
    path = d / "rules.json"
    path.write_text(json.dumps([{"Name": "fi", "Kind": "file", "ImportPath": "example.com/lib", "File": name}]))
    with pytest.raises(RuleError) as info:
        load_file(path)
    assert info.value.problems == [
        f"{path}: rule 0 (fi): File: {name!r} is outside the rule file's directory ({d}): not used"
    ]
    (d / "sub" / "inside.go").write_text("package lib\n")
    path.write_text(
        json.dumps([{"Name": "fi", "Kind": "file", "ImportPath": "example.com/lib", "File": "sub/inside.go"}])
    )
    (rule,) = load_file(path)
    assert rule.File == str(d / "sub" / "inside.go")


def test_otelgos_cache_is_private_to_the_user(tmp_path, monkeypatch, rule_file):
    """Every directory otelgo makes in its cache is 0700, the cache itself
    and a missing $XDG_CACHE_HOME included, and one an older otelgo left
    open is narrowed."""
    import os
    import stat

    from otelgo.plan.generated import write_atomically
    from otelgo.resources import cache_dir
    from otelgo.toolexec import refusals

    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    load_file(rule_file)  # the validated-rules cache
    refusals.record("k" * 32, "example.com/lib", "why")
    write_atomically(cache_dir() / "generated" / "x.go", "package x\n")
    made = [home, *(p for p in home.rglob("*") if p.is_dir())]
    assert {p.relative_to(home).as_posix() for p in made} == {
        ".",
        "otelgo",
        "otelgo/rules",
        "otelgo/refused",
        "otelgo/generated",
    }
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in made} == {p.name: 0o700 for p in made}
    os.chmod(cache_dir(), 0o755)
    write_atomically(cache_dir() / "generated" / "y.go", "package y\n")
    assert stat.S_IMODE(cache_dir().stat().st_mode) == 0o700


def test_the_build_directory_is_private_to_the_user(tmp_path, monkeypatch):
    """The per-build directory (the plan, the go.mod copy, the overlay, the
    generated bootstrap) is 0700 whatever the umask, and gone after the
    build."""
    import os
    import stat
    import tempfile

    from otelgo import driver
    from otelgo.gocmd.flags import parse
    from otelgo.gocmd.golist import GoCommandError, GoEnv
    from otelgo.plan import plan as planning

    seen = {}

    def make_plan(cmd, env, rules, build_dir, cwd, options=None):
        seen["dir"], seen["mode"] = build_dir, stat.S_IMODE(build_dir.stat().st_mode)
        raise GoCommandError("planned no further", 1)

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setattr(planning, "make_plan", make_plan)
    monkeypatch.setattr(
        driver, "go_env", lambda cwd: GoEnv("go1.26.0", tmp_path, "", "", tmp_path / "mod", tmp_path / "cache")
    )
    old = os.umask(0)
    try:
        with pytest.raises(GoCommandError, match="planned no further"):
            driver.run(parse("build", ["."]))
    finally:
        os.umask(old)
    assert seen["dir"].parent == tmp and seen["dir"].name.startswith("otelgo-build-")
    assert seen["mode"] == 0o700
    assert not seen["dir"].exists()


def test_built_in_rules_validated_at_installation_are_not_validated_again(cache, tmp_path, monkeypatch):
    """install.sh validates the built-in rule files into the installation:
    a build with an empty cache (a container's, a CI job's) reads them."""
    from otelgo.ruleset import load

    fresh = load_all(builtin_rule_files())
    for entry in cache.iterdir():
        entry.unlink()
    installed = load.install_validated()
    assert installed == tmp_path / "installed"
    assert len(list(installed.glob("*.json"))) == len(builtin_rule_files())
    monkeypatch.setattr(load, "_validate", lambda *a: pytest.fail("validated again"))
    assert load_all(builtin_rule_files()) == fresh
    assert list(cache.iterdir()) == []  # read from the installation, not copied
