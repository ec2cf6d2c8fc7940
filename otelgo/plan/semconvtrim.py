"""The semantic conventions copy cut down to what otelgo's hooks use.

The copy (semconvcopy.py) is the whole of `semconv/v1.39.0`: 16,000 lines
of attribute helpers in its main package alone, of which the hooks use a
few hundred. Every instrumented program compiled all of it (0.5 s of CPU
for the main package, 0.3 s for httpconv, 0.2 s for dbconv), beside the
SDK's own semconv package. Only packages under otelgo.dev/rules can import
the copy (it is internal), so the rules directory holds every use of it:
each package of the copy that the rules import keeps the top-level
declarations they name (as `alias.Name`), what those name in turn, and
the methods of every type kept. Naming more than is used (a name in a
comment) only keeps more. A cut package keeps all of its files, some with
nothing but their package clause, so that the -overlay also hides the full
copy a developer has on disk (`python -m otelgo.plan.semconvcopy`).

A package that does not parse cleanly stays whole, and so does a const
group that leans on iota or repeats an expression implicitly. The cut copy
lives beside the full one, under a digest of the names kept.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from otelgo.resources import make_dir_atomically

_IDENT = re.compile(rb"[A-Za-z_]\w*")
# A spec's names and the spaces that aligned them with their group's.
_LEADING_NAMES = re.compile(rb"^([A-Za-z_]\w*(?:,[ \t]*[A-Za-z_]\w*)*)[ \t]+")


def used_names(rules: Path, copy: Path, import_path: str) -> dict[str, set[str]]:
    """Package of the copy (its directory relative to the copy, "" for the
    main one) -> the names Go files of the rules directory use of it.
    copy: where its import path points, skipped."""
    used: dict[str, set[str]] = {}
    needle = import_path.encode()
    imports = re.compile(
        r'^\s*(?:import\s+)?(?:([A-Za-z_]\w*)\s+)?"(' + re.escape(import_path) + r'(?:/[\w/]+)?)"', re.M
    )
    for dirpath, dirnames, filenames in os.walk(rules):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d != copy and d != "testdata" and not d.startswith((".", "_"))]
        for name in filenames:
            if not name.endswith(".go") or name.endswith("_test.go"):
                continue
            src = (here / name).read_bytes()
            if needle not in src:
                continue
            text = src.decode()
            for m in imports.finditer(text):
                alias = m[1] or m[2].rsplit("/", 1)[1]
                rel = m[2][len(import_path) :].lstrip("/")
                used.setdefault(rel, set()).update(re.findall(r"\b" + re.escape(alias) + r"\.([A-Za-z_]\w*)", text))
    return used


def trimmed(full: Path, files: list[str], used: dict[str, set[str]], manifest: str) -> dict[str, Path]:
    """Each Go file of the full copy at `full` (files: what its manifest
    lists) -> where the overlay takes it from: the cut copy of its package,
    made beside the full one when it is not there yet, or the full copy for
    a package no hook imports."""
    dest = cut_dir(full, used)
    cut = [f for f in files if f.endswith(".go") and f.rpartition("/")[0] in used]
    if not (dest / manifest).is_file():
        _write_cut(full, cut, used, dest, manifest)
    return {f: (dest if f in cut else full) / f for f in files if f.endswith(".go")}


def cut_dir(full: Path, used: dict[str, set[str]]) -> Path:
    """Where the cut of the full copy at `full` for these names lives."""
    # This file is in the digest: a cut made by other code is not this one's.
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(repr(sorted((k, sorted(v)) for k, v in used.items())).encode())
    return full.parent / f"{full.name}.cut-{h.hexdigest()[:16]}"


def _write_cut(full: Path, files: list[str], used: dict[str, set[str]], dest: Path, manifest: str) -> None:
    def fill(tmp: Path) -> list[str]:
        by_package: dict[str, list[str]] = {}
        for f in files:
            by_package.setdefault(f.rpartition("/")[0], []).append(f)
        for package, names in by_package.items():
            for f, src in cut_package({f: (full / f).read_bytes() for f in names}, used[package]).items():
                (tmp / f).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                (tmp / f).write_bytes(src)
        return files

    make_dir_atomically(dest, fill, manifest)


@dataclass(eq=False)  # each declaration is itself, whatever its text
class _Unit:
    """A top-level declaration (a const/var/type spec stands alone)."""

    names: list[str]
    text: bytes
    always: bool = False  # kept whatever is used: init, blank declarations


def cut_package(sources: dict[str, bytes], wanted: set[str]) -> dict[str, bytes]:
    """Each file of one package with only the declarations kept: those
    named in wanted, what they name, the methods of kept types, init
    functions and blank declarations. The package whole when it cannot be
    cut safely."""
    from otelgo.splice.gosource import parser

    parse = parser().parse
    units: dict[str, list[_Unit]] = {}
    heads: dict[str, tuple[bytes, list[tuple[str, bytes]]]] = {}
    for name, src in sources.items():
        root = parse(src).root_node
        if root.has_error:
            return sources
        clause, imports, found = b"", [], []
        for node in root.children:
            kind = node.type
            if kind == "package_clause":
                clause = src[: node.end_byte]  # with the header and any build constraint above it
            elif kind == "import_declaration":
                imports += [_import(src, spec) for spec in _descendants(node, "import_spec")]
            elif kind == "function_declaration":
                fn = _text(src, node.child_by_field_name("name")).decode()
                found.append(_Unit([fn], _with_comments(src, node), always=fn in ("init", "_")))
            elif kind == "method_declaration":
                receiver = _text(src, node.child_by_field_name("receiver")).decode()
                owner = re.sub(r"\[.*", "", receiver.strip("()")).split()[-1].lstrip("*")
                found.append(_Unit([owner], _with_comments(src, node)))
            elif kind in ("const_declaration", "var_declaration", "type_declaration"):
                group = _specs(src, node)
                if group is None:
                    return sources
                found += group
        heads[name], units[name] = (clause, imports), found
    by_name: dict[str, list[_Unit]] = {}
    for found in units.values():
        for unit in found:
            for n in unit.names:
                by_name.setdefault(n, []).append(unit)
    kept_names = wanted & by_name.keys()
    todo = [u for found in units.values() for u in found if u.always] + [u for n in kept_names for u in by_name[n]]
    kept: set[_Unit] = set()
    while todo:
        unit = todo.pop()
        if unit in kept:
            continue
        kept.add(unit)
        new = ({m.decode() for m in _IDENT.findall(unit.text)} & by_name.keys()) - kept_names
        kept_names |= new
        todo += [u for n in new for u in by_name[n]]
    out = {}
    for name, found in units.items():
        clause, imports = heads[name]
        body = [u.text for u in found if u in kept]
        used = b"\n".join(body)
        lines = [
            spec for local, spec in imports if local in ("_", ".") or re.search(rb"\b" + local.encode() + rb"\.", used)
        ]
        parts = [clause]
        if lines:
            parts.append(b"import (\n" + b"".join(b"\t" + spec + b"\n" for spec in lines) + b")")
        out[name] = b"\n\n".join([*parts, *body]) + b"\n"
    return out


def _specs(src: bytes, decl) -> list[_Unit] | None:
    """A const/var/type declaration's specs, each as a declaration of its
    own; a const group that leans on iota or on an implicit repetition as
    one unit; None when the declaration is not what this expects."""
    keyword = _text(src, decl.children[0])
    specs = list(_descendants(decl, decl.type.replace("declaration", "spec")))
    if decl.type == "type_declaration":
        specs += list(_descendants(decl, "type_alias"))
    if not specs:
        return None
    names = [[_text(src, n).decode() for n in s.children_by_field_name("name")] for s in specs]
    if any(not n for n in names):
        return None
    whole = _text(src, decl)
    if keyword == b"const" and (
        re.search(rb"\biota\b", whole) or any(s.child_by_field_name("value") is None for s in specs)
    ):
        return [_Unit([n for group in names for n in group], _with_comments(src, decl), always="_" in sum(names, []))]
    return [
        _Unit(group, keyword + b" " + _LEADING_NAMES.sub(rb"\1 ", _text(src, spec)), always="_" in group)
        for group, spec in zip(names, specs, strict=True)
    ]


def _import(src: bytes, spec) -> tuple[str, bytes]:
    """(the name the file uses, the spec); "_" for a name that cannot be
    told without reading the package, which keeps the import."""
    path = _text(src, spec.child_by_field_name("path")).decode().strip('"`')
    name = spec.child_by_field_name("name")
    local = _text(src, name).decode() if name is not None else path.rsplit("/", 1)[-1]
    return (local if local.isidentifier() and not re.fullmatch(r"v\d+", local) else "_"), _text(src, spec)


def _with_comments(src: bytes, node) -> bytes:
    """The declaration with the comments right above it (directives such as
    //go:noinline stay with what they govern)."""
    start, row = node.start_byte, node.start_point.row
    prev = node.prev_sibling
    while prev is not None and prev.type == "comment" and prev.end_point.row == row - 1:
        start, row = prev.start_byte, prev.start_point.row
        prev = prev.prev_sibling
    return src[start : node.end_byte]


def _text(src: bytes, node) -> bytes:
    return src[node.start_byte : node.end_byte]


def _descendants(node, kind: str):
    for child in node.named_children:
        if child.type == kind:
            yield child
        else:
            yield from _descendants(child, kind)
