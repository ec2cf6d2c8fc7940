"""What the golden corpus (cases/, test_splice_cases.py) cannot show: every
case there that is spliced must compile, so a file with a syntax error
outside the edited function is tested here."""

from __future__ import annotations

from otelgo.ruleset.model import FunctionRule
from otelgo.splice.edit import splice_package

PUSH = FunctionRule(ImportPath="example.com/lib", Function="Push", OnEnter="PushEnter", Path="example.com/hooks")
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


def test_a_target_declared_oddly_is_found_after_the_likely_files():
    # Files whose text shows "Push(" are parsed first; a declaration with a
    # comment between the name and its parameters shows no such text, and is
    # found when the likely files did not hold it. Files without the name at
    # all are never parsed: this one could not be.
    calls = b"package lib\n\nfunc use() { Push(1) }\n"
    odd = b"package lib\n\nfunc Push /* n */ (n int) int { return n }\n"
    unreadable = b"package lib\n\nfunc broken( {\n"
    result = splice_package("example.com/lib", [("a.go", calls), ("b.go", odd), ("c.go", unreadable)], [PUSH])
    assert [t.func_name for t in result.targets] == ["Push"] and result.missing == []
    assert list(result.sources) == ["b.go"]
