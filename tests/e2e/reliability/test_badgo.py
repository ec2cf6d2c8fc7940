"""Bad Go: a package that does not compile is reported in the compiler's
words at the user's own file:line (never a path of otelgo's spliced copies),
whether otelgo instruments the package or not; a matched package whose
source the splicer refuses is compiled as it is, with a warning, and the
build succeeds."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import harness
import pytest

RELIABILITY = harness.TESTDATA / "reliability"
HOOKS = RELIABILITY / "hooks"


def fresh_app(dest: Path) -> Path:
    shutil.copytree(RELIABILITY / "app", dest)
    return dest


# (file, rules, the statement that breaks it): main is always instrumented
# (its func main gets a hook), lib is instrumented by the user rule
# print.json, words by none.
BROKEN = [
    pytest.param("main.go", None, "\tfmt.Println(undefinedInMain)\n", id="instrumented-main"),
    pytest.param("lib/lib.go", "print.json", "\treturn undefinedInLib\n", id="instrumented-lib"),
    pytest.param("words/words.go", None, "\treturn undefinedInWords\n", id="uninstrumented-words"),
]


def insert_after_open_brace(path: Path, anchor: str, statement: str) -> tuple[int, int, str]:
    """Put `statement` as the first line of the function whose header
    contains `anchor`; returns (line, column, identifier) of the error."""
    lines = path.read_text().splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if anchor in line and line.rstrip().endswith("{"))
    lines.insert(i + 1, statement)
    path.write_text("".join(lines))
    ident = re.search(r"undefinedIn\w+", statement)[0]
    return i + 2, statement.index(ident) + 1, ident


ANCHORS = {"main.go": "func once()", "lib/lib.go": "func Compute(", "words/words.go": "func Shout("}


@pytest.mark.parametrize(("file", "rules", "statement"), BROKEN)
def test_compile_error_names_the_users_file_and_line(tmp_path, file, rules, statement):
    app = fresh_app(tmp_path / "app")
    line, column, ident = insert_after_open_brace(app / file, ANCHORS[file], statement)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    args = ["--rules", str(HOOKS / rules)] if rules else []
    ours = harness.otel_build(app, *args, "-o", str(tmp_path / "out"), ".", env={"TMPDIR": str(tmpdir)})
    theirs = harness.go_build(app, "-o", str(tmp_path / "plain"), ".")
    assert ours.returncode == theirs.returncode == 1, ours.stderr
    # The user's own file and line, as the go command prints them.
    assert re.search(rf"(^|[\s/]){re.escape(file)}:{line}:{column}: undefined: {ident}$", ours.stderr, re.M), (
        ours.stderr
    )
    # Nothing of otelgo's: no temp dir, no spliced copy, no generated file.
    assert str(tmpdir) not in ours.stderr and "otelgo" not in ours.stderr, ours.stderr
    # In fact, word for word what go build says.
    assert ours.stderr == theirs.stderr


def test_rule_on_a_file_the_splicer_refuses_compiles_it_uninstrumented(tmp_path):
    """words.go has `import . "strings"`, which the splicer does not handle:
    the rule words.json on words.Shout must leave the package compiled as it
    is, say so on stderr, and the build must succeed."""
    app = fresh_app(tmp_path / "app")
    words = app / "words" / "words.go"
    words.write_text(words.read_text() + f"\nconst unique{secrets.token_hex(6)} = 1\n")  # compiled, not cached
    out = tmp_path / "app-bin"
    result = harness.check_build(harness.otel_build(app, "--rules", str(HOOKS / "words.json"), "-o", str(out), "."))
    assert re.search(
        r"^otel: warning: example\.com/reliability/app/words compiled without instrumentation: "
        r".*dot import",
        result.stderr,
        re.M,
    ), result.stderr
    proc = subprocess.run(
        [str(out), "once"],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"}),
    )
    assert proc.returncode == 0, proc.stderr
    assert "HI!" in proc.stdout.splitlines()
    assert "hook: Shout" not in proc.stdout
    # The rest of the program is instrumented as usual.
    assert b"otelgo.dev/rules/nethttp" in out.read_bytes()


def test_summary_does_not_claim_a_refused_package_as_instrumented(tmp_path):
    """The summary says what the compiles did: in the build that ran the
    refused compile, and in a later one whose compile the go command serves
    from its cache (the shim does not run; the go command replays the
    compile's warning); --json agrees."""
    app = fresh_app(tmp_path / "app")
    words = app / "words" / "words.go"
    words.write_text(words.read_text() + f"\nconst unique{secrets.token_hex(6)} = 1\n")  # compiled, not cached
    rules = ["--rules", str(HOOKS / "words.json")]
    first = harness.check_build(harness.otel_build(app, *rules, "-o", str(tmp_path / "app-bin"), "."))
    assert "compiled without instrumentation" in first.stderr, first.stderr  # the compile ran here
    again = harness.check_build(harness.otel_build(app, *rules, "-o", str(tmp_path / "app-bin2"), "."))
    for result in (first, again):
        lines = result.stderr.splitlines()
        claimed = [line for line in lines if line.startswith("  example.com/reliability/app/words")]
        assert claimed == [], result.stderr
        assert any(
            line.startswith("  not instrumented example.com/reliability/app/words: compiled as it is: ")
            and "dot import" in line
            for line in lines
        ), result.stderr
        # The rest is listed as instrumented.
        assert any(line.startswith("  package main: ") for line in lines), result.stderr

    machine = harness.check_build(harness.otel_build(app, *rules, "--json", "-o", str(tmp_path / "app-bin3"), "."))
    data = json.loads(machine.stdout)
    instrumented = {entry["package"] for entry in data["instrumented"]}
    assert "example.com/reliability/app/words" not in instrumented, data
    assert "main" in instrumented, data
    assert [r["package"] for r in data["refused"]] == ["example.com/reliability/app/words"], data
    assert "dot import" in data["refused"][0]["reason"], data


def test_summary_reports_a_refused_package_outside_the_users_modules_in_every_build(tmp_path):
    """go/types has files with a dot import, so a rule on its NewTerm makes
    the splicer refuse it. Planning keeps the digests of such a package's
    sources (GOROOT and the module cache do not change under a plan); the
    summary must find the refusal with them in the build that compiled it,
    in a later one, and in one that takes the remembered plan."""
    app = shutil.copytree(RELIABILITY / "gotypes", tmp_path / "app")
    rules = ["--rules", str(HOOKS / "gotypes.json")]
    out = tmp_path / "app-bin"
    for _ in range(3):  # the third has the same command line as the second: the remembered plan
        result = harness.check_build(harness.otel_build(app, *rules, "-o", str(out), "."))
        lines = result.stderr.splitlines()
        assert any(
            line.startswith("  not instrumented go/types: compiled as it is: ") and "dot import" in line
            for line in lines
        ), result.stderr
        assert not any(line.startswith("  go/types ") for line in lines), result.stderr
        out = tmp_path / "app-bin2"
    proc = subprocess.run([str(out)], capture_output=True, text=True, timeout=60, env=harness.clean_env({}))
    assert proc.returncode == 0 and proc.stdout.splitlines() == ["~int"], proc
