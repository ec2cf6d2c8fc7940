"""The part of a Go source file that `go list` reads: everything up to the
end of its import declarations.

The go command (go/build's readGoInfo) reads a file's leading comments
(build constraints, a cgo preamble), its package clause and its import
declarations, and stops at the first token that is not `import`; only a
file that imports "embed" is read further, for its //go:embed comments.
What it reports of a package -- its name, files, imports, dependencies,
errors -- comes from those parts alone. So an edit below the imports (a
function's body, a constant) leaves `go list`'s answer as it was, and
listcache.py takes the answer it kept when only such edits were made.

header_digest is conservative: any byte it is unsure of (an unterminated
comment or string, something other than an import where an import
declaration goes, no package clause) makes it return None, which callers
treat as a change.
"""

from __future__ import annotations

import hashlib

# The files of a package's directory whose contents the go command reads
# (go/build's source kinds), and a module's own files. Of any other file (a
# binary `go build` wrote beside main.go, notes, data a //go:embed may name)
# what `go list` and planning see is only that it is there.
_SOURCE_SUFFIXES = (
    ".go", ".s", ".S", ".sx", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx",
    ".f", ".F", ".for", ".f90", ".m", ".swig", ".swigcxx", ".syso",
)  # fmt: skip
_MODULE_FILES = frozenset({"go.mod", "go.sum", "go.work", "go.work.sum"})


def header_only(name: str) -> bool:
    """A file of which the go command's listing reads the header alone: a
    Go file, not a test's (a generated test main depends on the test
    functions)."""
    return name.endswith(".go") and not name.endswith("_test.go")


def read_by_go(name: str) -> bool:
    """Whether the go command reads the contents of a file of this name in
    a package's or a module's directory."""
    return name in _MODULE_FILES or name.endswith(_SOURCE_SUFFIXES)


_SPACE = b" \t\r\n"
_IDENT_EXTRA = b"_"


class _Unsure(Exception):
    pass


def header_digest(src: bytes) -> str | None:
    """A digest of what `go list` reads of a Go file, or None when unsure."""
    try:
        end, next_byte = _header_end(src)
    except (_Unsure, IndexError):
        return None
    h = hashlib.sha256(src[:end])
    h.update(b"\0" + next_byte + b"\0")
    if b"go:embed" in src:  # a file importing "embed" is read whole for these
        h.update(b"\n".join(line for line in src.splitlines() if b"go:embed" in line))
    return h.hexdigest()[:32]


def _header_end(src: bytes) -> tuple[int, bytes]:
    """(offset just past the last import declaration, or the package
    clause; the first byte of the token that follows it, b"" at the end)."""
    i = _skip(src, 0)
    word, i = _word(src, i)
    if word != b"package":
        raise _Unsure
    i = _skip(src, i)
    name, i = _word(src, i)
    if not name:
        raise _Unsure
    end = i
    while True:
        i = _skip(src, end, semicolons=True)
        word, j = _word(src, i)
        if word != b"import":
            return end, src[i : i + 1]
        i = _skip(src, j)
        if src[i : i + 1] == b"(":
            i += 1
            while True:
                i = _skip(src, i, semicolons=True)
                if src[i : i + 1] == b")":
                    i += 1
                    break
                i = _spec(src, i)
        else:
            i = _spec(src, i)
        end = i


def _spec(src: bytes, i: int) -> int:
    """One import spec: an optional name (identifier, . or _), then the path."""
    if src[i : i + 1] == b".":
        i = _skip(src, i + 1)
    elif src[i : i + 1] not in (b'"', b"`"):
        name, i = _word(src, i)
        if not name:
            raise _Unsure
        i = _skip(src, i)
    return _string(src, i)


def _string(src: bytes, i: int) -> int:
    quote = src[i : i + 1]
    if quote == b"`":
        j = src.find(b"`", i + 1)
        if j < 0:
            raise _Unsure
        return j + 1
    if quote != b'"':
        raise _Unsure
    j = i + 1
    while True:
        c = src[j : j + 1]
        if c in (b"", b"\n"):
            raise _Unsure
        if c == b"\\":
            j += 2
            continue
        if c == b'"':
            return j + 1
        j += 1


def _word(src: bytes, i: int) -> tuple[bytes, int]:
    j = i
    while j < len(src) and (src[j : j + 1].isalnum() or src[j : j + 1] == _IDENT_EXTRA or src[j] >= 0x80):
        j += 1
    return src[i:j], j


def _skip(src: bytes, i: int, semicolons: bool = False) -> int:
    """Past white space and comments (and semicolons where asked)."""
    n = len(src)
    while i < n:
        c = src[i : i + 1]
        if c in _SPACE or semicolons and c == b";":
            i += 1
        elif src.startswith(b"//", i):
            j = src.find(b"\n", i)
            i = n if j < 0 else j + 1
        elif src.startswith(b"/*", i):
            j = src.find(b"*/", i + 2)
            if j < 0:
                raise _Unsure
            i = j + 2
        else:
            break
    return i
