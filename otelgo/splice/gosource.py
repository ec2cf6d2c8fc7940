"""Reading Go source with tree-sitter-go: parse with tolerance, node text,
imports, declaration keys. Shared by the splicer (edit.py), the hook
checker (plan/hookcheck.py) and //otel:span comments
(ruleset/spancomments.py); it edits nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

PREDECLARED = frozenset(
    "any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 "
    "rune string uint uint8 uint16 uint32 uint64 uintptr".split()
)


class SpliceError(Exception):
    """The package cannot be instrumented as written; it is compiled as it is."""


class NotHookable(SpliceError):
    """A function that must not get a hook call (see refusal()); its rule is
    not applied, the rest of the package is instrumented."""


# Compiler directives that make a function unfit for a hook call, and why.
# A hook call adds a deferred call, an allocation and calls into other
# packages at the start of the function's body.
REFUSING_DIRECTIVES = {
    "go:nosplit": "//go:nosplit: it may not grow its stack, which a hook call needs",
    "go:systemstack": "//go:systemstack: it runs on the system stack, where no hook may run",
    "go:nowritebarrier": "//go:nowritebarrier: a hook call would need write barriers",
    "go:nowritebarrierrec": "//go:nowritebarrierrec: a hook call would need write barriers",
    "go:yeswritebarrierrec": "//go:yeswritebarrierrec: it is a runtime function with write-barrier rules",
    "go:norace": "//go:norace: it runs where the race detector must not look, and so may no hook",
    "go:uintptrkeepalive": "//go:uintptrkeepalive: its uintptr arguments keep objects alive only as its own parameters",
    "go:uintptrescapes": "//go:uintptrescapes: its uintptr arguments keep objects alive only as its own parameters",
    "go:cgo_unsafe_args": "//go:cgo_unsafe_args: it reads its arguments through the address of the first",
    "go:wasmexport": "//go:wasmexport: the host calls it directly",
}
LINKNAMED = (
    "reached through //go:linkname from other packages (often the runtime), which may call it where no hook may run"
)


def refusal(f: GoFile, decl: Node) -> str | None:
    """Why the function declared by decl must not get a hook call, or None:
    a directive in the comments right above it (REFUSING_DIRECTIVES), or a
    //go:linkname that hands it to other packages."""
    row = decl.start_point.row
    node = decl.prev_sibling
    while node is not None and node.type == "comment" and node.end_point.row >= row - 1:
        comment = f.text(node)
        if comment.startswith("//go:"):
            directive = comment[2:].split()[0]
            if directive in REFUSING_DIRECTIVES:
                return REFUSING_DIRECTIVES[directive]
        row = node.start_point.row
        node = node.prev_sibling
    if decl.type == "function_declaration":
        name = f.text(decl.child_by_field_name("name")).encode()
        if re.search(rb"^//go:linkname\s+" + re.escape(name) + rb"\b", f.src, re.MULTILINE):
            return LINKNAMED
    return None


@lru_cache(maxsize=1)
def parser() -> Parser:
    # Imported here: planning imports this module, and most builds find
    # their hook checks cached and no //otel:span comment to parse.
    import tree_sitter_go
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_go.language()))


def text(src: bytes, node: Node) -> str:
    return src[node.start_byte : node.end_byte].decode()


def receiver_key(type_text: str) -> str:
    """*List[T] -> *List: rules name a receiver type without type arguments."""
    return re.sub(r"\[.*\]$", "", type_text.replace(" ", ""))


@dataclass
class GoFile:
    path: str
    src: bytes
    root: Node
    imports: dict[str, str]  # name used in this file -> import path

    def text(self, node: Node) -> str:
        return text(self.src, node)

    @property
    def package_clause(self) -> Node:
        return next(c for c in self.root.children if c.type == "package_clause")

    @property
    def package_name(self) -> str:
        return self.text(self.package_clause.named_children[0])


def parse(path: str, src: bytes) -> GoFile:
    """A file whose package clause, imports and declaration boundaries
    parsed. An error inside a declaration is tolerated until that
    declaration is to be edited (whole()): the grammar lags behind Go, and
    the compiler, not the splicer, is the judge of the rest of the file."""
    root = parser().parse(src).root_node
    if root.has_error:
        root = _without_new_expr(src, root)
    if root.has_error and _structural(root):
        raise SpliceError(f"{path}: tree-sitter could not parse this file")
    return GoFile(path, src, root, file_imports(src, root, path))


@lru_cache(maxsize=256)
def parse_cached(path: str, src: bytes) -> GoFile:
    """parse(), remembered: the hook checks of a package with many rules
    read the same files once per rule."""
    return parse(path, src)


# Go 1.26 lets new take an expression, where the grammar wants a type, and
# an error there can end a function early. Read as a call of an ordinary
# function of the same length, every node keeps its offsets in src.
_NEW_CALL = re.compile(rb"\bnew\(")


def _without_new_expr(src: bytes, root: Node) -> Node:
    masked = _NEW_CALL.sub(b"neW(", src)
    if masked == src:
        return root
    other = parser().parse(masked).root_node
    if not other.has_error or _structural(root) and not _structural(other):
        return other
    return root


def _structural(root: Node) -> bool:
    """An error that leaves the file's declarations, package clause or
    imports in doubt."""
    return any(
        node.type == "ERROR"
        or node.is_missing
        or node.has_error
        and node.type in ("package_clause", "import_declaration")
        for node in root.children
    )


def whole(f: GoFile, node: Node) -> Node:
    """node, which is about to be edited or copied, when it parsed cleanly:
    all of it, or for a function all but the statements of its body, which
    edits only ever prepend to."""
    body = node.child_by_field_name("body") if node.type in ("function_declaration", "method_declaration") else None
    broken = any(c.has_error or c.is_missing for c in node.children if c != body)
    if body is not None:
        first, last = body.children[0], body.children[-1]
        broken |= first.type != "{" or last.type != "}" or first.is_missing or last.is_missing
    if broken:
        raise SpliceError(f"{f.path}:{node.start_point.row + 1}: tree-sitter could not parse this declaration")
    return node


def file_imports(src: bytes, root: Node, path: str = "") -> dict[str, str]:
    imports = {}
    for decl in root.children:
        if decl.type != "import_declaration":
            continue
        for spec in descendants(decl, "import_spec"):
            imported = text(src, spec.child_by_field_name("path")).strip('"`')
            name_node = spec.child_by_field_name("name")
            if name_node is None:
                for name in package_names(imported):
                    imports.setdefault(name, imported)
                continue
            name = text(src, name_node)
            if name == ".":
                where = f"{path}:{spec.start_point.row + 1}: " if path else ""
                raise SpliceError(f"{where}dot imports are not supported in instrumented files")
            imports[name] = imported
    return imports


def package_names(path: str) -> list[str]:
    """The names an unaliased import may bind, without reading the package:
    github.com/redis/go-redis/v9 is package redis, gopkg.in/yaml.v3 is yaml,
    github.com/go-sql-driver/mysql is mysql."""
    parts = path.split("/")
    last = parts[-1]
    if re.fullmatch(r"v\d+", last) and len(parts) > 1:
        last = parts[-2]
    last = re.sub(r"\.v\d+$", "", last)
    names = [parts[-1], last, re.sub(r"^go-?", "", last), re.sub(r"[-.]?go$", "", last), last.replace("-", "_")]
    return list(dict.fromkeys(n for n in names if n.isidentifier()))


def descendants(node: Node, kind: str):
    for child in node.named_children:
        if child.type == kind:
            yield child
        else:
            yield from descendants(child, kind)


def descendants_or_self(node: Node, kind: str):
    if node.type == kind:
        yield node
    yield from descendants(node, kind)


def decl_key(f: GoFile, decl: Node) -> tuple[str, str] | None:
    """(function, receiver type) of a function or method declaration, as rules name them."""
    if decl.type == "function_declaration":
        return f.text(decl.child_by_field_name("name")), ""
    if decl.type == "method_declaration":
        recv = decl.child_by_field_name("receiver").named_children[0]
        return f.text(decl.child_by_field_name("name")), receiver_key(f.text(recv.child_by_field_name("type")))
    return None
