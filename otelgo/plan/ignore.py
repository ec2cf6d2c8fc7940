"""Opting out in source: `//otel:ignore`.

- above a function or method (in the comment block right above it): that
  function;
- in a file's comments before the package clause, but not in the package's
  doc comment (a blank line between them, as for `//go:build`): every
  function of that file;
- in the package's doc comment (the comment block right above `package`, in
  any of its files): every function of the package.

Only the user's own packages are read. An ignored function gets no other
rule (the SDK's set-up and flush excepted) and an IgnoreRule instead, whose
splice switches the hooks off on its goroutine while it runs, so that what
it calls is not traced either. A `//otel:span` on ignored code is an error.
`init` functions, which a package may have several of, are not covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from otelgo.gocmd.golist import Package
from otelgo.hookapi import PLUMBING
from otelgo.ruleset.model import BODY_RULES, IgnoreRule, Rule
from otelgo.splice.gosource import GoFile, decl_key, parse

DIRECTIVE = b"//otel:ignore"
_FUNCTIONS = ("function_declaration", "method_declaration")


@dataclass
class Ignored:
    """What //otel:ignore leaves out of one package."""

    package: str = ""  # where the package doc comment says so ("file.go:3"), or ""
    files: dict[str, str] = field(default_factory=dict)  # file name -> where its comment is
    functions: dict[tuple[str, str], str] = field(default_factory=dict)  # (function, receiver) -> where

    def rules(self, key: str) -> list[IgnoreRule]:
        return [
            IgnoreRule(
                ImportPath=key,
                Function=function,
                ReceiverType=receiver or None,
                Directive=where,
                Name=f"{where} //otel:ignore",
            )
            for (function, receiver), where in sorted(self.functions.items())
        ]

    def where(self, function: str, receiver: str | None) -> str | None:
        """Where the comment that leaves a function out is, if one does."""
        return self.functions.get((function, receiver or ""))

    def leaves_out(self, rule: Rule) -> str | None:
        """Where the comment is that leaves a rule of this package out, if
        one does: rules of the SDK's set-up and flush stay."""
        if rule.hook_package in PLUMBING or isinstance(rule, IgnoreRule):
            return None
        if isinstance(rule, BODY_RULES):
            return self.where(rule.Function, rule.ReceiverType)
        return self.package or None  # struct and file rules: only a whole package


def ignored(pkg: Package) -> Ignored | None:
    """What the //otel:ignore comments of a package leave out, or None."""
    if pkg.dir is None:
        return None
    sources = {}
    for name in pkg.go_files:
        try:
            sources[name] = (pkg.dir / name).read_bytes()
        except OSError:
            continue  # the go command will say what is wrong with it
    marked = [name for name, src in sources.items() if DIRECTIVE in src]
    if not marked:
        return None
    found = Ignored()
    parsed: dict[str, GoFile] = {}
    for name in marked:
        f = parsed[name] = parse(str(pkg.dir / name), sources[name])
        where = _head_directive(f, name)
        if where is not None:
            place, line = where
            if place == "package":
                found.package = found.package or line
            else:
                found.files[name] = line
        for decl, line in _marked_functions(f, name):
            found.functions.setdefault(decl_key(f, decl), line)
    whole = [name for name in sources if found.package or name in found.files]
    for name in whole:
        f = parsed.get(name) or parse(str(pkg.dir / name), sources[name])
        for decl in f.root.children:
            key = decl_key(f, decl)
            if key is not None and key[0] not in ("init", "_") and decl.child_by_field_name("body") is not None:
                found.functions.setdefault(key, found.package or found.files[name])
    return found if found.functions or found.package or found.files else None


def _head_directive(f: GoFile, name: str) -> tuple[str, str] | None:
    """("package" or "file", "file.go:N") for a directive before the package clause."""
    clause = f.package_clause
    comments = [c for c in f.root.children if c.type == "comment" and c.end_byte <= clause.start_byte]
    doc, row = set(), clause.start_point.row
    for c in reversed(comments):  # the block that ends right above `package`
        if c.end_point.row + 1 != row:
            break
        doc.add(c.id)
        row = c.start_point.row
    for c in comments:
        if _is_directive(f.text(c)):
            return ("package" if c.id in doc else "file"), f"{Path(name).name}:{c.start_point.row + 1}"
    return None


def _marked_functions(f: GoFile, name: str):
    """(declaration, "file.go:N") of each function whose comment block says so."""
    block: list = []
    for node in f.root.children:
        if node.type in _FUNCTIONS and block and block[-1].end_point.row + 1 == node.start_point.row:
            hit = next((c for c in block if _is_directive(f.text(c))), None)
            if hit is not None and node.child_by_field_name("body") is not None:
                yield node, f"{Path(name).name}:{hit.start_point.row + 1}"
        contiguous = block and block[-1].end_point.row + 1 == node.start_point.row
        block = (block if contiguous else []) + [node] if node.type == "comment" else []


def _is_directive(comment: str) -> bool:
    rest = comment.removeprefix(DIRECTIVE.decode())
    return rest != comment and (rest == "" or rest[0].isspace())
