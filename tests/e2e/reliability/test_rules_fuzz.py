"""Bad rule files, fuzzed. The contract of `otelgo.rules.load_file`: it
returns rules or raises RuleError whose problems are each one line naming
the file (and, for a rule of a JSON array, the rule and the field): never
another exception. Through the CLI, a bad rule file gives a non-zero exit,
one line per problem, no traceback, and nothing compiled.

The hypothesis tests keep a fixed @example of every kind of input that broke
the contract when they were written, so that they fail the same way on every
run until it is fixed; their xfail marks name the bug.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import harness
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from otelgo.ruleset import cache as rulecache
from otelgo.ruleset.load import load_file
from otelgo.ruleset.model import Rule
from otelgo.ruleset.syntax import RuleError

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GOOD = {
    "function": {
        "Name": "fn",
        "ImportPath": "example.com/lib",
        "Function": "F",
        "ReceiverType": "*T",
        "OnEnter": "Enter",
        "OnExit": "Exit",
        "Path": "example.com/hooks",
        "Version": "[1.0.0,2.0.0)",
        "Order": 1,
    },
    "raw": {"Name": "raw", "Kind": "raw", "ImportPath": "example.com/lib", "Function": "F", "Raw": "_ = 1"},
    "struct": {
        "Name": "st",
        "Kind": "struct",
        "ImportPath": "runtime",
        "StructType": "g",
        "FieldName": "f",
        "FieldType": "any",
    },
    "file": {"Name": "fi", "Kind": "file", "ImportPath": "example.com/lib", "File": "extra.go"},
}
FIELDS = {
    "Name",
    "Kind",
    "ImportPath",
    "Version",
    "Order",
    "Function",
    "ReceiverType",
    "OnEnter",
    "OnExit",
    "Path",
    "Raw",
    "StructType",
    "FieldName",
    "FieldType",
    "File",
}

# Seconds one load may take before the fuzzer calls it a hang (a regex that
# backtracks without end, say). A guard, not a speed requirement.
HANG = 30


@pytest.fixture(scope="module", autouse=True)
def private_rule_cache(tmp_path_factory):
    """The valid files the fuzzers make (some of them megabytes) are kept in
    a validated-rules cache of their own, not in the user's; a file whose
    bytes come up again loads from it, so both ways are fuzzed."""
    cache = tmp_path_factory.mktemp("otelgo-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rulecache, "cache_dir", lambda: cache)
        yield


@pytest.fixture(scope="module")
def rule_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("rules")
    (d / "extra.go").write_text("package lib\n")  # for the file rule
    return d


def _alarm(signum, frame):
    raise TimeoutError(f"load_file took more than {HANG}s")


def load_bytes(directory: Path, data: bytes):
    """Write `data` as a rule file, load it and check the contract."""
    path = directory / "rules.json"
    path.write_bytes(data)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG)
    try:
        rules = load_file(path)
    except RuleError as e:
        check_problems(path, data, e.problems)
        return
    except TimeoutError:
        raise
    except Exception as e:  # the contract: RuleError or rules, nothing else
        raise AssertionError(f"load_file raised {type(e).__name__}: {str(e)[:300]}\n  on {data[:300]!r}") from e
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert isinstance(rules, list) and all(isinstance(r, Rule) for r in rules), rules


def check_problems(path: Path, data: bytes, problems: list) -> None:
    assert problems, "RuleError without problems"
    try:
        doc = json.loads(data)
    except Exception:
        doc = None
    for problem in problems:
        assert isinstance(problem, str), problem
        assert "\n" not in problem and "\r" not in problem, f"a problem spans several lines: {problem!r}"
        assert problem.startswith(f"{path}:"), f"a problem does not name the file: {problem!r}"
        if isinstance(doc, list) and doc:
            assert names_rule_and_field(path, doc, problem), f"a problem does not name its rule and field: {problem!r}"


def names_rule_and_field(path: Path, doc: list, problem: str) -> bool:
    for i, item in enumerate(doc):
        head = f"{path}: rule {i}"
        if not (problem.startswith(head + ": ") or problem.startswith(head + " (")):
            continue
        keys = set(item) if isinstance(item, dict) else set()
        # otelgo escapes newlines so that every problem stays one line
        shown = {str(f).replace("\r", "\\r").replace("\n", "\\n") for f in FIELDS | keys | {"(rule)"}}
        if any(f": {field}" in problem for field in shown):
            return True
    return False


def dump(doc) -> bytes:
    return json.dumps(doc).encode()


# --- strategies -------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_rules(draw):
    """A valid rule of some kind with fields replaced by values of any JSON
    type, fields dropped, and unknown keys added."""
    rule = dict(draw(st.sampled_from(sorted(GOOD.items())))[1])
    for key in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=4)):
        rule[key] = draw(json_values)
    for key in draw(st.lists(st.sampled_from(sorted(rule)), max_size=2)):
        rule.pop(key, None)
    rule.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=2)))
    return rule


VERSIONISH = "[]()., 0123456789v-+rcgobetaxX"
version_texts = (
    st.text(alphabet=VERSIONISH, max_size=30)
    | st.text(max_size=30)
    | st.builds(
        lambda lo, hi, a, b: f"{a}{lo},{hi}{b}",
        st.text(alphabet="0123456789.v-+rc", max_size=12),
        st.text(alphabet="0123456789.v-+rc", max_size=12),
        st.sampled_from("[("),
        st.sampled_from("])"),
    )
)

# Strings that make backtracking regexes and careless code suffer.
BOMBS = [
    lambda n: "a" * n + "!",
    lambda n: "a/" * n + "/",
    lambda n: "a." * n + ".",
    lambda n: "*" * n + "T",
    lambda n: "1" * n,
    lambda n: "[" + "1." * n + ",)",
    lambda n: "[1.0.0-" + "a." * n + "-,)",
    lambda n: "(" * n,
    lambda n: "\\" * n,
    lambda n: "é" * n,
]
bomb_strings = st.builds(lambda f, n: f(n), st.sampled_from(BOMBS), st.integers(1, 100_000))


# --- the loader, fuzzed -------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=3000))
@example(data=b'[{"Name": "caf\xe9"}]')  # Latin-1, not UTF-8
@example(data=b"[" * 100_000 + b"]" * 100_000)  # deep nesting
@example(data=b'[{"Order": ' + b"9" * 5000 + b"}]")  # a huge integer literal
def test_arbitrary_bytes(rule_dir, data):
    load_bytes(rule_dir, data)


@FUZZ
@given(text=st.text(max_size=3000))
def test_arbitrary_text(rule_dir, text):
    load_bytes(rule_dir, text.encode())


@FUZZ
@given(doc=json_values)
@example(doc=[{"\n": None}])
@example(doc=[{"Kind": []}])
def test_arbitrary_json_documents(rule_dir, doc):
    load_bytes(rule_dir, dump(doc))


@FUZZ
@given(rules=st.lists(mutated_rules(), min_size=1, max_size=4))
@example(rules=[dict(GOOD["function"], Kind=["function"])])
@example(rules=[dict(GOOD["function"], Name="two\nlines", Function=1)])
@example(rules=[dict(GOOD["function"], **{"Unknown\nKey": 1})])
def test_rules_with_wrong_types_missing_and_unknown_fields(rule_dir, rules):
    load_bytes(rule_dir, dump(rules))


@FUZZ
@given(version=version_texts)
def test_version_ranges(rule_dir, version):
    load_bytes(rule_dir, dump([dict(GOOD["function"], Version=version)]))


@FUZZ
@given(kind=st.sampled_from(sorted(GOOD)), field=st.sampled_from(sorted(FIELDS - {"File"})), text=bomb_strings)
def test_huge_and_regex_bomb_strings(rule_dir, kind, field, text):
    load_bytes(rule_dir, dump([dict(GOOD[kind], **{field: text})]))


@FUZZ
@given(text=bomb_strings | st.text(max_size=300))
@example(text="x" * 5000 + ".go")
@example(text="x\0.go")
def test_huge_and_odd_file_paths(rule_dir, text):
    load_bytes(rule_dir, dump([dict(GOOD["file"], File=text)]))


def test_every_valid_kind_loads(rule_dir):
    """The fuzzers' starting points are valid, so their failures are the
    mutations'."""
    path = rule_dir / "rules.json"
    path.write_bytes(dump(list(GOOD.values())))
    assert [r.Kind for r in load_file(path)] == ["function", "raw", "struct", "file"]


# --- the same through the CLI ---------------------------------------------------

APP = harness.TESTDATA / "reliability" / "app"
HOOKS = harness.TESTDATA / "reliability" / "hooks"


def otel_build_with_rules(tmp_path: Path, content: bytes) -> tuple[Path, subprocess.CompletedProcess]:
    # The rule file sits in a copy of the hooks module, whose rules' hook
    # packages it may name.
    hooks = tmp_path / "hooks"
    shutil.copytree(HOOKS, hooks)
    rules = hooks / "bad.json"
    rules.write_bytes(content)
    env = harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT)})
    proc = subprocess.run(
        [sys.executable, "-m", "otelgo", "go", "build", "-x", "--rules", str(rules), "-o", str(tmp_path / "app"), "."],
        cwd=APP,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return rules, proc


FN = GOOD["function"]
CLI_CASES = [
    pytest.param(b'[{"Name": "x",\n  "Function": }]', 1, id="malformed-json"),
    pytest.param(
        dump([dict(FN, Order="first", Receiver="*T"), dict(FN, Name="second", Path=7)]),
        3,
        id="wrong-types-and-unknown-key",
    ),
    pytest.param(dump([dict(FN, Version="[2.0.0,1.0.0)")]), 1, id="empty-version-range"),
    pytest.param(dump([dict(FN, Version="1.2.3")]), 1, id="version-not-a-range"),
    pytest.param(
        dump(
            [
                {
                    "Name": "nohook",
                    "ImportPath": "example.com/reliability/app/lib",
                    "Function": "Compute",
                    "OnEnter": "NoSuchHook",
                    "Path": "example.com/reliability/hooks",
                }
            ]
        ),
        1,
        id="missing-hook-function",
    ),
    pytest.param(
        dump(
            [
                {
                    "Name": "nohookpkg",
                    "ImportPath": "example.com/reliability/app/lib",
                    "Function": "Compute",
                    "OnEnter": "ComputeEnter",
                    "Path": "example.com/reliability/nosuchhooks",
                }
            ]
        ),
        1,
        id="missing-hook-package",
    ),
    pytest.param(
        b'[{"Name": "caf\xe9", "ImportPath": "a/b", "Function": "F", "OnEnter": "E", "Path": "a/h"}]', 1, id="not-utf8"
    ),
    pytest.param(dump([dict(FN, Kind={"function": True})]), 1, id="kind-is-an-object"),
    pytest.param(dump([dict(FN, Name="two\nlines", Function="not a name")]), 1, id="name-with-newline"),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("content", "count"), CLI_CASES)
def test_cli_reports_bad_rules_one_line_each_and_compiles_nothing(tmp_path, content, count):
    rules, proc = otel_build_with_rules(tmp_path, content)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "/compile " not in proc.stderr, proc.stderr  # -x shows every compile: none ran
    assert not (tmp_path / "app").exists()
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    # One line per problem, each naming the rule file; then the closing line.
    problems = [line for line in lines if str(rules) in line]
    assert len(problems) == count, proc.stderr
    assert lines[:-1] == problems, f"a line that is not a problem of its own:\n{proc.stderr}"
    assert "no package was compiled" in lines[-1], proc.stderr
