"""Find the functions that rules target in a package's Go files and splice a
call of their trampolines into each, without moving a single line.

For every target the splice
  - names what has no usable name (unnamed or `_` receiver, parameters and
    results) so that the trampoline can take their addresses;
  - inserts, on the line of the body's opening brace,
        if otelgoOnN { otelgoCall, otelgoSkip := otelgoEnterN(&recv, &p0, ..., &r0, ...);
            defer otelgoExitN(otelgoCall, &r0, ...); if otelgoSkip { return } };
    (all on that one line);
    otelgoOnN is false when the instrumentation is switched off at run time;
    the trampolines copy values in and out and keep no pointer, so nothing
    moves to the heap because of the call, and a switched-off hook costs a
    load and a branch;
  - leaves every other byte in place. A /*line*/ directive in front of the
    file maps positions back to the original file, so panics, compiler
    errors and debuggers show the user's file and line.

Everything the trampolines need to be generated (names, types, type
parameters, imports) is returned as plain data for codegen.
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


@dataclass
class Var:
    name: str  # its name in the spliced signature
    type: str  # as the target package spells it (variadic ...T stored as []T)
    hook_type: str  # as the hook receives it: the type, or interface{} if a hook cannot name it


@dataclass
class Target:
    index: int
    func_name: str  # (*Transport).RoundTrip
    rules: list[dict]
    receiver: Var | None
    params: list[Var]
    results: list[Var]
    type_params: str = ""  # "[T any, U comparable]" for generic targets
    type_args: str = ""  # "[T, U]"
    file: str = ""
    imports: dict[str, str] = field(default_factory=dict)  # the file's: name -> import path


@dataclass
class PackageSplice:
    package_name: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # file as given -> spliced text
    targets: list[Target] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # import path -> name used
    missing: list[dict] = field(default_factory=list)  # rules whose function was not found
    spans: bool = False  # a span rule needs its start function


@lru_cache(maxsize=1)
def _parser() -> Parser:
    # Imported here: planning imports this module, and most builds find
    # their hook checks cached and no //otel:span comment to parse.
    import tree_sitter_go
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_go.language()))


def _text(src: bytes, node: Node) -> str:
    return src[node.start_byte : node.end_byte].decode()


def receiver_key(type_text: str) -> str:
    """*List[T] -> *List: rules name a receiver type without type arguments."""
    return re.sub(r"\[.*\]$", "", type_text.replace(" ", ""))


@dataclass
class _File:
    path: str
    src: bytes
    root: Node
    imports: dict[str, str]  # name used in this file -> import path


def _parse(path: str, src: bytes) -> _File:
    """A file whose package clause, imports and declaration boundaries
    parsed. An error inside a declaration is tolerated until that
    declaration is to be edited (_whole): the grammar lags behind Go, and
    the compiler, not the splicer, is the judge of the rest of the file."""
    root = _parser().parse(src).root_node
    if root.has_error:
        root = _without_new_expr(src, root)
    if root.has_error and _structural(root):
        raise SpliceError(f"{path}: tree-sitter could not parse this file")
    return _File(path, src, root, _file_imports(src, root))


# Go 1.26 lets new take an expression, where the grammar wants a type, and
# an error there can end a function early. Read as a call of an ordinary
# function of the same length, every node keeps its offsets in src.
_NEW_CALL = re.compile(rb"\bnew\(")


def _without_new_expr(src: bytes, root: Node) -> Node:
    masked = _NEW_CALL.sub(b"neW(", src)
    if masked == src:
        return root
    other = _parser().parse(masked).root_node
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


def _whole(f: _File, node: Node) -> Node:
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


def _file_imports(src: bytes, root: Node) -> dict[str, str]:
    imports = {}
    for decl in root.children:
        if decl.type != "import_declaration":
            continue
        for spec in _descendants(decl, "import_spec"):
            path = _text(src, spec.child_by_field_name("path")).strip('"`')
            name_node = spec.child_by_field_name("name")
            if name_node is None:
                for name in package_names(path):
                    imports.setdefault(name, path)
                continue
            name = _text(src, name_node)
            if name == ".":
                raise SpliceError("dot imports are not supported in instrumented files")
            imports[name] = path
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


def _descendants(node: Node, kind: str):
    for child in node.named_children:
        if child.type == kind:
            yield child
        else:
            yield from _descendants(child, kind)


def splice_package(import_path: str, files: list[tuple[str, bytes]], rules: list[dict]) -> PackageSplice:
    """files: (path as given to the compiler, contents). rules: plan rule dicts
    of the kinds that edit sources: function, raw and struct rules."""
    wanted: dict[tuple[str, str], list[dict]] = {}
    structs: dict[str, list[dict]] = {}
    for rule in rules:
        kind = rule.get("Kind", "function")
        if kind in ("function", "raw", "span"):
            wanted.setdefault((rule["Function"], rule.get("ReceiverType") or ""), []).append(rule)
        elif kind == "struct":
            structs.setdefault(rule["StructType"], []).append(rule)
    names = {fn.encode() for fn, _ in wanted} | {name.encode() for name in structs}
    result = PackageSplice()
    parsed: dict[str, _File] = {}
    found: set[tuple[str, str]] = set()
    found_structs: set[str] = set()
    for path, src in files:
        if not any(name in src for name in names):
            continue
        f = parsed[path] = _parse(path, src)
        result.package_name = result.package_name or _package_name(f)
        edits: list[tuple[int, int, str]] = []
        for decl in f.root.children:
            if decl.type == "type_declaration":
                edits.extend(_struct_edits(f, decl, structs, found_structs))
            key = _decl_key(f, decl)
            if key is None or key not in wanted or key in found:
                continue
            body = decl.child_by_field_name("body")
            if body is None:
                continue  # declared without a body (assembly): nothing to splice into
            _whole(f, decl)
            found.add(key)
            hooks = [r for r in wanted[key] if r.get("Kind", "function") == "function"]
            target = _target(import_path, f, decl, hooks, len(result.targets), files, parsed)
            edits.extend(_signature_edits(f, decl, target))
            raw = "".join(f" {r['Raw'].replace(chr(10), '; ')};" for r in wanted[key] if r.get("Kind") == "raw")
            for r in wanted[key]:
                if r.get("Kind") == "span":
                    raw += _span_site(f, target, r, result.package_name)
                    result.spans = True
            if hooks:
                result.targets.append(target)
                _collect_imports(f, decl, result.imports)
                raw += _call_site(target)
            edits.append((body.start_byte + 1, body.start_byte + 1, raw))
        if edits:
            result.sources[path] = _apply(f, edits)
    result.missing = [r for key, rs in wanted.items() if key not in found for r in rs]
    result.missing += [r for name, rs in structs.items() if name not in found_structs for r in rs]
    return result


def find_target(import_path: str, files: list[tuple[str, bytes]], function: str, receiver: str | None) -> Target | None:
    """The target of a function rule as the splice would see it, or None."""
    key = (function, receiver or "")
    parsed: dict[str, _File] = {}
    for path, src in files:
        if function.encode() not in src:
            continue
        f = parsed[path] = _parse(path, src)
        for decl in f.root.children:
            if _decl_key(f, decl) == key and decl.child_by_field_name("body") is not None:
                return _target(import_path, f, _whole(f, decl), [], 0, files, parsed)
    return None


def _struct_edits(f: _File, decl: Node, structs: dict[str, list[dict]], found: set[str]) -> list[tuple[int, int, str]]:
    """New fields go last, on the line of the closing brace: no line moves,
    and no offset the runtime's assembly knows changes."""
    edits = []
    for spec in _descendants(decl, "type_spec"):
        name = _text(f.src, spec.child_by_field_name("name"))
        body = spec.child_by_field_name("type")
        if name not in structs or name in found or body is None or body.type != "struct_type":
            continue
        _whole(f, spec)
        found.add(name)
        fields = body.named_children[0]  # field_declaration_list
        closing = fields.end_byte - 1
        text = "".join(f"{r['FieldName']} {r['FieldType']}; " for r in structs[name])
        before = f.src[:closing].rstrip(b" \t")
        if not before.endswith((b"{", b";", b"\n")):
            text = "; " + text
        edits.append((closing, closing, text))
    return edits


def _package_name(f: _File) -> str:
    clause = next(c for c in f.root.children if c.type == "package_clause")
    return _text(f.src, clause.named_children[0])


def _decl_key(f: _File, decl: Node) -> tuple[str, str] | None:
    if decl.type == "function_declaration":
        return _text(f.src, decl.child_by_field_name("name")), ""
    if decl.type == "method_declaration":
        recv = decl.child_by_field_name("receiver").named_children[0]
        return _text(f.src, decl.child_by_field_name("name")), receiver_key(
            _text(f.src, recv.child_by_field_name("type"))
        )
    return None


# --- what the trampolines need ------------------------------------------------


def _target(import_path, f, decl, rules, index, files, parsed) -> Target:
    name = _text(f.src, decl.child_by_field_name("name"))
    type_param_names: set[str] = set()
    type_params = type_args = ""
    receiver = None
    if decl.type == "method_declaration":
        recv_decl = decl.child_by_field_name("receiver").named_children[0]
        recv_type = recv_decl.child_by_field_name("type")
        type_params, type_args, type_param_names = _receiver_type_params(f, recv_type, files, parsed)
        receiver = _vars(import_path, f, [recv_decl], "otelgoRecv", type_param_names)[0]
        func_name = f"({receiver_key(_text(f.src, recv_type))}).{name}"
    else:
        tp = decl.child_by_field_name("type_parameters")
        if tp is not None:
            type_params = _text(f.src, tp)
            type_param_names = {_text(f.src, n) for d in tp.named_children for n in d.children_by_field_name("name")}
            type_args = "[" + ", ".join(_ordered_type_param_names(f, tp)) + "]"
        func_name = name
    params = _vars(import_path, f, decl.child_by_field_name("parameters").named_children, "otelgoP", type_param_names)
    results = _vars(import_path, f, _result_decls(decl), "otelgoR", type_param_names)
    return Target(
        index,
        func_name,
        sorted(rules, key=lambda r: r.get("Order", 0)),
        receiver,
        params,
        results,
        type_params,
        type_args,
        f.path,
        dict(f.imports),
    )


def _ordered_type_param_names(f: _File, tp: Node) -> list[str]:
    return [_text(f.src, n) for d in tp.named_children for n in d.children_by_field_name("name")]


def _result_decls(decl: Node) -> list[Node]:
    result = decl.child_by_field_name("result")
    if result is None:
        return []
    if result.type == "parameter_list":
        return result.named_children
    return [result]  # a single unnamed result type


def _vars(import_path, f, decls, prefix, type_params) -> list[Var]:
    out: list[Var] = []
    for d in decls:
        if d.type == "comment":
            continue
        if d.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            # a bare result type: func f() error
            out.append(_var(import_path, f, f"{prefix}{len(out)}", d, False, type_params))
            continue
        type_node = d.child_by_field_name("type")
        names = [_text(f.src, n) for n in d.children_by_field_name("name")] or [""]
        for n in names:
            usable = n if n and n != "_" else (prefix if prefix == "otelgoRecv" else f"{prefix}{len(out)}")
            out.append(_var(import_path, f, usable, type_node, d.type == "variadic_parameter_declaration", type_params))
    return out


def _var(import_path, f, name, type_node, variadic, type_params) -> Var:
    text = _text(f.src, type_node)
    if variadic:
        text = "[]" + text
    nameable = _nameable(import_path, f, type_node, type_params)
    return Var(name, text, text if nameable and import_path != "main" else "interface{}")


def _nameable(import_path: str, f: _File, node: Node, type_params: set[str]) -> bool:
    """Can a hook package spell this type? If not, the hook gets interface{}."""
    if node.type == "qualified_type":
        path = f.imports.get(_text(f.src, node.child_by_field_name("package")), "")
        return not _is_internal(path) and not (_is_std(import_path) and path.startswith("golang.org/x/"))
    if node.type == "type_identifier":
        name = _text(f.src, node)
        if name in type_params:
            return False
        # The package's own exported types, unless no hook may import it.
        return name in PREDECLARED or name[0].isupper() and not _is_internal(import_path)
    if node.type in ("field_identifier",) and not _text(f.src, node)[0].isupper():
        return False  # an unexported field or method of a struct or interface literal
    return all(_nameable(import_path, f, child, type_params) for child in node.named_children)


def _is_internal(path: str) -> bool:
    parts = path.split("/")
    return "internal" in parts or parts[0] == "vendor"


def _is_std(path: str) -> bool:
    return "." not in path.split("/", 1)[0] and path != "main"


def _receiver_type_params(f, recv_type, files, parsed) -> tuple[str, str, set[str]]:
    """For a method of a generic type: the type parameters with the constraints
    of the type's declaration, renamed to the receiver's names."""
    generic = next(iter(_descendants_or_self(recv_type, "generic_type")), None)
    if generic is None:
        return "", "", set()
    names = [_text(f.src, a) for a in generic.child_by_field_name("type_arguments").named_children]
    base = _text(f.src, generic.child_by_field_name("type"))
    declared = _find_type_params(base, files, parsed)
    if declared is None or len(declared) != len(names):
        raise SpliceError(f"cannot find the type parameters of {base}")
    renames = {old: new for (old, _), new in zip(declared, names, strict=False)}
    params = []
    for (_, constraint), new in zip(declared, names, strict=False):
        for old, repl in renames.items():
            constraint = re.sub(rf"\b{re.escape(old)}\b", repl, constraint)
        params.append(f"{new} {constraint}")
    return "[" + ", ".join(params) + "]", "[" + ", ".join(names) + "]", set(names)


def _descendants_or_self(node: Node, kind: str):
    if node.type == kind:
        yield node
    yield from _descendants(node, kind)


def _find_type_params(base: str, files, parsed) -> list[tuple[str, str]] | None:
    pattern = re.compile(rb"\btype\s+" + re.escape(base.encode()) + rb"\s*\[")
    grouped = re.compile(rb"\btype\s*\(")
    for path, src in files:
        if not (pattern.search(src) or grouped.search(src)):
            continue
        f = parsed.get(path) or _parse(path, src)
        for spec in _descendants(f.root, "type_spec"):
            if _text(f.src, spec.child_by_field_name("name")) != base:
                continue
            tp = _whole(f, spec).child_by_field_name("type_parameters")
            if tp is None:
                return None
            out = []
            for d in tp.named_children:
                constraint = _text(f.src, d.child_by_field_name("type"))
                out += [(_text(f.src, n), constraint) for n in d.children_by_field_name("name")]
            return out
    return None


def _collect_imports(f: _File, decl: Node, imports: dict[str, str]) -> None:
    """The imports that the types of this declaration's signature use."""
    sig_nodes = [decl.child_by_field_name(n) for n in ("receiver", "parameters", "result", "type_parameters")]
    for node in filter(None, sig_nodes):
        for q in _descendants_or_self(node, "qualified_type"):
            name = _text(f.src, q.child_by_field_name("package"))
            path = f.imports.get(name)
            if path is None:
                raise SpliceError(f"{f.path}: package {name} is not imported")
            if imports.get(path, name) != name or name in {n for p, n in imports.items() if p != path}:
                raise SpliceError(f"{f.path}: import name {name} means different packages in different files")
            imports[path] = name


# --- edits ----------------------------------------------------------------------


def _signature_edits(f: _File, decl: Node, target: Target) -> list[tuple[int, int, str]]:
    """Give the trampoline a name for everything it takes the address of."""
    edits = []
    groups = []
    if decl.type == "method_declaration":
        groups.append((decl.child_by_field_name("receiver").named_children, [target.receiver]))
    groups.append((decl.child_by_field_name("parameters").named_children, target.params))
    edits.extend(_name_edits(f, groups))
    result = decl.child_by_field_name("result")
    if result is not None and result.type != "parameter_list":
        r = target.results[0]
        edits.append((result.start_byte, result.end_byte, f"({r.name} {_text(f.src, result)})"))
    elif result is not None:
        edits.extend(_name_edits(f, [(result.named_children, target.results)]))
    return edits


def _name_edits(f: _File, groups) -> list[tuple[int, int, str]]:
    edits = []
    for decls, vars_ in groups:
        it = iter(vars_)
        for d in decls:
            if d.type == "comment":
                continue
            names = d.children_by_field_name("name")
            if not names:
                var = next(it)
                type_node = d.child_by_field_name("type")
                # variadic: "...T" starts before the type node
                start = d.start_byte if d.type == "variadic_parameter_declaration" else type_node.start_byte
                edits.append((start, start, var.name + " "))
                continue
            for n in names:
                var = next(it)
                if _text(f.src, n) == "_":
                    edits.append((n.start_byte, n.end_byte, var.name))
    return edits


def _span_site(f: _File, t: Target, rule: dict, package: str) -> str:
    """The span starts now and ends at return, with the error result as it
    is then; the body runs with the span's context. Behind the switch, and
    through copies (otelgoCtx, the closure's read of the error), so that
    nothing of the function's moves to the heap when spans are off."""
    context_names = {name for name, path in f.imports.items() if path == "context"}
    ctx = next((v for v in t.params if v.type.split(".")[0] in context_names and v.type.endswith(".Context")), None)
    err = t.results[-1] if t.results and t.results[-1].type == "error" else None
    name = rule.get("SpanName") or f"{package}.{t.func_name.replace('(*', '').replace('(', '').replace(')', '')}"
    attrs = ", ".join(_go_string(f"{k}={v}") for k, v in sorted((rule.get("Attributes") or {}).items()))
    start = f"otelgoSpanStart({_go_string(name)}, []string{{{attrs}}}, {'&otelgoCtx' if ctx else 'nil'})"
    if ctx:
        start = f"otelgoCtx := {ctx.name}; otelgoEnd := {start}; {ctx.name} = otelgoCtx;"
    else:
        start = f"otelgoEnd := {start};"
    end = f"defer func() {{ otelgoEnd({err.name}) }}()" if err else "defer otelgoEnd(nil)"
    return f" if otelgoSpansOn {{ {start} {end} }};"


def _go_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _call_site(t: Target) -> str:
    args = [t.receiver] if t.receiver else []
    args = ", ".join(f"&{v.name}" for v in [*args, *t.params, *t.results])
    results = "".join(f", &{v.name}" for v in t.results)
    return (
        f" if otelgoOn{t.index} {{ otelgoCall, otelgoSkip := otelgoEnter{t.index}{t.type_args}({args});"
        f" defer otelgoExit{t.index}{t.type_args}(otelgoCall{results});"
        " if otelgoSkip { return } };"
    )


def _apply(f: _File, edits: list[tuple[int, int, str]]) -> str:
    clause = next(c for c in f.root.children if c.type == "package_clause")
    head = f.src[: clause.start_byte]
    if b"//line " not in head and b"/*line " not in head:
        # Positions in this copy are the original file's, column for column.
        # The directive goes right before `package`: earlier, it would push a
        # //go:build line off the start of its line.
        line, col = clause.start_point.row + 1, clause.start_point.column + 1
        edits = [*edits, (clause.start_byte, clause.start_byte, f"/*line {f.path}:{line}:{col}*/")]
    src = f.src
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        src = src[:start] + text.encode() + src[end:]
    return src.decode()
