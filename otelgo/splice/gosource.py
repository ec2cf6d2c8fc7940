"""Reading Go source with tree-sitter-go: parse with tolerance, node text,
imports, declaration keys. Shared by the splicer (edit.py), the hook
checker (plan/hookcheck.py) and //otel:span comments
(ruleset/spancomments.py); it edits nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    # Go 1.27's generic methods: (start, end) in src of each method's own
    # type parameter list, "[U any]", which the tree does not hold (masked).
    method_type_params: list[tuple[int, int]] = field(default_factory=list)

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
    generic: list[tuple[int, int]] = []
    if root.has_error:
        root, generic = _masked(src, root)
    if root.has_error and _structural(root):
        raise SpliceError(f"{path}: tree-sitter could not parse this file")
    return GoFile(path, src, root, file_imports(src, root, path), generic)


@lru_cache(maxsize=256)
def parse_cached(path: str, src: bytes) -> GoFile:
    """parse(), remembered: the hook checks of a package with many rules
    read the same files once per rule."""
    return parse(path, src)


# Syntax newer than the grammar, read as older syntax of the same length, so
# that every node keeps its offsets in src:
# - Go 1.26 lets new take an expression, where the grammar wants a type, and
#   an error there can end a function early: read as a call of an ordinary
#   function, neW(.
# - Go 1.27's generic methods, func (r T) M[U any](u U), whose type
#   parameter list the grammar refuses after a receiver: read with the list
#   blanked out (newlines kept), as a method M(u U); GoFile keeps where the
#   list is.
_NEW_CALL = re.compile(rb"\bnew\(")
_METHOD = re.compile(rb"^func[ \t]*\(", re.MULTILINE)
_NAME_AND_BRACKET = re.compile(rb"\s*[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*[ \t]*\[")


def _masked(src: bytes, root: Node) -> tuple[Node, list[tuple[int, int]]]:
    generic = _method_type_param_lists(src)
    masked = bytearray(_NEW_CALL.sub(b"neW(", src))
    for start, end in generic:
        masked[start:end] = bytes(b if b == ord("\n") else ord(" ") for b in src[start:end])
    if masked == src:
        return root, []
    other = parser().parse(bytes(masked)).root_node
    if not other.has_error or _structural(root) and not _structural(other):
        return other, generic
    return root, []


def _method_type_param_lists(src: bytes) -> list[tuple[int, int]]:
    """(start, end) of the type parameter list of each generic method: a
    top-level func with a receiver (gofmt puts it at the start of a line),
    then a name, then [."""
    found = []
    for m in _METHOD.finditer(src):
        receiver_end = _balanced(src, m.end() - 1)
        if receiver_end is None:
            continue
        name = _NAME_AND_BRACKET.match(src, receiver_end)
        if name is None:
            continue
        end = _balanced(src, name.end() - 1)
        if end is not None:
            found.append((name.end() - 1, end))
    return found


_CLOSE = {ord("("): ord(")"), ord("["): ord("]"), ord("{"): ord("}")}


def _balanced(src: bytes, start: int) -> int | None:
    """The offset after the bracket that closes the one at start, skipping
    strings, runes and comments; None if it does not close."""
    stack, i, n = [], start, len(src)
    while i < n:
        c = src[i]
        if c in _CLOSE:
            stack.append(_CLOSE[c])
        elif c in (ord(")"), ord("]"), ord("}")):
            if not stack or stack.pop() != c:
                return None
            if not stack:
                return i + 1
        elif c in (ord('"'), ord("'")):
            i += 1
            while i < n and src[i] != c and src[i] != ord("\n"):
                i += 2 if src[i] == ord("\\") else 1
        elif c == ord("`"):
            i = src.find(b"`", i + 1)
            if i < 0:
                return None
        elif src.startswith(b"//", i):
            i = src.find(b"\n", i)
            if i < 0:
                return None
        elif src.startswith(b"/*", i):
            i = src.find(b"*/", i + 2)
            if i < 0:
                return None
            i += 1
        i += 1
    return None


def method_type_params(f: GoFile, decl: Node) -> tuple[int, int] | None:
    """Where the type parameter list of a generic method is in f.src, if
    decl is one (Go 1.27): between its name and its parameters."""
    if decl.type != "method_declaration":
        return None
    name, params = decl.child_by_field_name("name"), decl.child_by_field_name("parameters")
    return next((r for r in f.method_type_params if name.end_byte <= r[0] and r[1] <= params.start_byte), None)


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
