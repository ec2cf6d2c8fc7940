"""The splicer and the trampoline generator on tricky Go, without the go
command's toolexec: the spliced package must compile (go build, with the
real compiler), the generated file must be gofmt-clean, and no line of the
user's file may move."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from otelgo.ruleset.model import FunctionRule
from otelgo.splice.codegen import generate
from otelgo.splice.edit import SpliceError, splice_package

HOOKS = "example.com/hooks"

SOURCE = """//go:build !never

// Package lib has one function of every hard shape.
package lib

import (
	stdctx "context"
	"io"
)

type Stack[T comparable] struct{ items []T }

func (s *Stack[E]) Push(v E) int { s.items = append(s.items, v); return len(s.items) }

func (Stack[T]) Len() int { return 0 }

func Map[T any, U comparable](xs []T, f func(T) U) []U {
	var out []U
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func Zero[T any]() T { var z T; return z }

type point struct{ x int }

func (p point) Move(dx int) point { return point{p.x + dx} }

func Unnamed(int, string) (int, error) { return 0, nil }

func Blank(_ int, _ string) (_ int, err error) { return }

func Variadic(ctx stdctx.Context, w io.Writer, xs ...any) {}

func AnonVariadic(...int) {}

func Body(call int) int {
	if call > 0 {
		return call
	}
	return -call
}
"""

RULES = [
    {
        "Function": "Push",
        "ReceiverType": "*Stack",
        "OnEnter": "PushEnter",
        "OnExit": "PushExit",
    },
    {"Function": "Len", "ReceiverType": "Stack", "OnExit": "LenExit"},
    {"Function": "Map", "OnEnter": "MapEnter", "OnExit": "MapExit"},
    {"Function": "Zero", "OnExit": "ZeroExit"},
    {
        "Function": "Move",
        "ReceiverType": "point",
        "OnEnter": "MoveEnter",
        "OnExit": "MoveExit",
    },
    {"Function": "Unnamed", "OnEnter": "UnnamedEnter", "OnExit": "UnnamedExit"},
    {"Function": "Blank", "OnEnter": "BlankEnter", "OnExit": "BlankExit"},
    {"Function": "Variadic", "OnEnter": "VariadicEnter"},
    {"Function": "AnonVariadic", "OnEnter": "AnonEnter"},
    {"Function": "Body", "OnEnter": "BodyFirst", "Order": 1},
    {"Function": "Body", "OnEnter": "BodySecond", "OnExit": "BodyExit", "Order": 2},
]


def _rules():
    return [FunctionRule(ImportPath="example.com/lib", Path=HOOKS, **r) for r in RULES]


@pytest.fixture(scope="module")
def spliced(tmp_path_factory):
    """The package spliced and generated, written as a module that compiles
    without linking (an assembly file lets body-less declarations through)."""
    root = tmp_path_factory.mktemp("splice")
    original = root / "orig" / "lib.go"
    original.parent.mkdir()
    original.write_text(SOURCE)
    result = splice_package("example.com/lib", [(str(original), SOURCE.encode())], _rules())
    pkg = root / "mod"
    pkg.mkdir()
    (pkg / "go.mod").write_text("module example.com/lib\n\ngo 1.24\n")
    (pkg / "lib.go").write_text(result.sources[str(original)])
    (pkg / "otelgo_trampolines.go").write_text(generate("example.com/lib", result))
    (pkg / "linkname.s").write_text("")
    return original, pkg, result


def test_every_target_is_found(spliced):
    _, _, result = spliced
    assert result.missing == []
    assert [t.func_name for t in result.targets] == [
        "(*Stack).Push",
        "(Stack).Len",
        "Map",
        "Zero",
        "(point).Move",
        "Unnamed",
        "Blank",
        "Variadic",
        "AnonVariadic",
        "Body",
    ]


def test_spliced_package_compiles(spliced):
    _, pkg, _ = spliced
    proc = subprocess.run([shutil.which("go"), "build", "./..."], cwd=pkg, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_spliced_package_passes_vet(spliced):
    _, pkg, _ = spliced
    proc = subprocess.run([shutil.which("go"), "vet", "./..."], cwd=pkg, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_generated_file_is_gofmt_clean(spliced):
    _, pkg, _ = spliced
    gofmt = Path(subprocess.check_output([shutil.which("go"), "env", "GOROOT"], text=True).strip()) / "bin" / "gofmt"
    proc = subprocess.run(
        [str(gofmt), "-l", "otelgo_trampolines.go"],
        cwd=pkg,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_no_line_moves_and_positions_map_to_the_original(spliced):
    original, pkg, _ = spliced
    before = SOURCE.splitlines()
    after = (pkg / "lib.go").read_text().splitlines()
    assert len(after) == len(before)

    # Every line is the original line, or the original with insertions only:
    # names given to unnamed or blank parameters and results, and the call.
    def names_dropped(line):
        return re.sub(r"\b(otelgo[PR]\d+|otelgoRecv|_) ", "", line)

    for old, new in zip(before, after, strict=False):
        stripped = re.sub(r"/\*line [^*]*\*/", "", new)
        stripped = re.sub(
            r" if otelgoOn\d+ \{ otelgoCall, otelgoSkip := [^;]*; defer [^;]*; if otelgoSkip \{ return \} \};",
            "",
            stripped,
        )
        stripped = re.sub(r"\) \(otelgoR0 ([^(),]+)\) \{", r") \1 {", stripped)
        assert names_dropped(stripped) == names_dropped(old)
    # The directive sits right before `package`, after the //go:build line.
    assert after[0] == "//go:build !never"
    assert after[3] == f"/*line {original}:4:1*/package lib"


def test_hooks_get_types_they_can_name_and_interface_for_the_rest(spliced):
    _, pkg, _ = spliced
    decls = dict(
        re.findall(
            r"//go:linkname \w+ example\.com/hooks\.(\w+)\nfunc \w+\((.*)\)",
            (pkg / "otelgo_trampolines.go").read_text(),
        )
    )
    assert decls["PushEnter"] == "otelgoCallContext, interface{}, interface{}"  # generic receiver, type parameter
    assert decls["MapEnter"] == "otelgoCallContext, interface{}, interface{}"
    assert decls["MoveEnter"] == "otelgoCallContext, interface{}, int"  # unexported receiver type
    assert decls["UnnamedExit"] == "otelgoCallContext, int, error"
    assert decls["VariadicEnter"] == "otelgoCallContext, stdctx.Context, io.Writer, []any"
    assert decls["AnonEnter"] == "otelgoCallContext, []int"
    assert decls["BodyFirst"] == "otelgoCallContext, int"  # a parameter named call is no problem


def test_hooks_run_in_order_and_exit_in_reverse(spliced):
    _, pkg, _ = spliced
    text = (pkg / "otelgo_trampolines.go").read_text()
    assert text.index('"example.com/hooks.BodyFirst') < text.index('"example.com/hooks.BodySecond')


def test_unparsable_file_is_refused_not_mangled():
    bad = b"package lib\n\nfunc Push( {\n"
    with pytest.raises(SpliceError):
        splice_package("example.com/lib", [("bad.go", bad)], _rules()[:1])


PUSH = FunctionRule(ImportPath="example.com/lib", Function="Push", OnEnter="PushEnter", Path=HOOKS)
NEW_EXPR = b"""package lib

var name = new("lib")

func Push(n int) int {
	p := new("x" + *name)
	return n + len(*p)
}

func Other() { var x = 1 +; _ = x }
"""


def test_newer_syntax_and_errors_outside_the_edited_function_are_tolerated():
    # Go 1.26's new(expr) is a syntax error to the grammar (and "x" + ...
    # inside it used to end Push's body early); Other's broken statement is
    # the compiler's business, since Push is the only function edited.
    result = splice_package("example.com/lib", [("lib.go", NEW_EXPR)], [PUSH])
    assert [t.func_name for t in result.targets] == ["Push"]
    spliced = result.sources["lib.go"]
    assert spliced.count("\n") == NEW_EXPR.decode().count("\n")
    assert 'p := new("x" + *name)' in spliced and "func Other() { var x = 1 +; _ = x }" in spliced


def test_error_in_the_edited_signature_is_refused():
    bad = b"package lib\n\nfunc Push(n int, = new(1)) int { return n }\n"
    with pytest.raises(SpliceError, match=r"bad.go:3: tree-sitter could not parse this declaration"):
        splice_package("example.com/lib", [("bad.go", bad)], [PUSH])


def test_missing_function_is_reported():
    result = splice_package(
        "example.com/lib",
        [("lib.go", SOURCE.encode())],
        [FunctionRule(ImportPath="example.com/lib", Function="Nope", OnEnter="X", Path=HOOKS, Name="nope")],
    )
    assert result.targets == [] and [r.Name for r in result.missing] == ["nope"]
