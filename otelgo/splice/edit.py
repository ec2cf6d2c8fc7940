"""Find the functions that rules target in a package's Go files and splice a
call of their trampolines into each, without moving a single line.

For every target the splice
  - names what has no usable name (unnamed or `_` receiver, parameters and
    results) so that the trampoline can take their addresses;
  - inserts, on the line of the body's opening brace, the sites of
    templates/sites.go.j2: the hook call site (otelgoOnN is false when the
    instrumentation is switched off at run time; the trampolines copy values
    in and out and keep no pointer, so nothing moves to the heap because of
    the call, and a switched-off hook costs a load and a branch), a raw
    rule's statements, a span rule's span;
  - leaves every other byte in place. A /*line*/ directive in front of the
    file maps positions back to the original file, so panics, compiler
    errors and debuggers show the user's file and line (and one after a
    site whose line goes on gives that line its columns back).

Everything the trampolines need to be generated (names, types, type
parameters, imports) is returned as plain data for codegen.py. The golden
corpus in tests/splice/cases/ shows what comes out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from otelgo.gocmd.importpath import is_standard
from otelgo.ruleset.model import BODY_RULES, FunctionRule, IgnoreRule, RawRule, Rule, SpanRule, StructRule
from otelgo.splice.gosource import (
    PREDECLARED,
    GoFile,
    NotHookable,
    SpliceError,
    decl_key,
    descendants,
    descendants_or_self,
    method_type_params,
    parse,
    parse_cached,
    parser,
    receiver_key,
    refusal,
    whole,
)
from otelgo.splice.gosource import text as node_text

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["PackageSplice", "SpliceError", "Target", "Var", "find_target", "splice_package"]

SITES = "sites.go.j2"


@dataclass
class Var:
    name: str  # its name in the spliced signature
    type: str  # as the target package spells it (variadic ...T stored as []T)
    hook_type: str  # as the hook receives it: the type, or interface{} if a hook cannot name it


@dataclass
class Target:
    index: int
    func_name: str  # (*Transport).RoundTrip
    rules: list[FunctionRule]
    receiver: Var | None
    params: list[Var]
    results: list[Var]
    type_params: str = ""  # "[T any, U comparable]" for generic targets
    type_args: str = ""  # "[T, U]"
    file: str = ""
    imports: dict[str, str] = field(default_factory=dict)  # the file's: name -> import path
    # A generic receiver's type arguments named _: (start, end, name given) in the file.
    type_arg_names: list[tuple[int, int, str]] = field(default_factory=list)
    # What the type parameters' constraints, copied from the type's declaration, import: path -> name.
    constraint_imports: dict[str, str] = field(default_factory=dict)


@dataclass
class PackageSplice:
    package_name: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # file as given -> spliced text
    targets: list[Target] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # import path -> name used
    missing: list[Rule] = field(default_factory=list)  # rules whose function or type was not found
    refused: list[tuple[Rule, str]] = field(default_factory=list)  # rules on functions no hook may enter, and why
    spans: bool = False  # a span rule needs its start function
    quiet: bool = False  # an //otel:ignore function needs Suppress and Resume

    @property
    def generates(self) -> bool:
        """Whether the package gets the trampolines file."""
        return bool(self.targets or self.spans or self.quiet)


def splice_package(import_path: str, files: list[tuple[str, bytes]], rules: list[Rule]) -> PackageSplice:
    """files: (path as given to the compiler, contents). rules: the rules
    matched to this package; those that edit sources (function, raw, span
    and struct rules) are applied, file rules are the compile's business."""
    wanted: dict[tuple[str, str], list[Rule]] = {}
    structs: dict[str, list[StructRule]] = {}
    for rule in rules:
        if isinstance(rule, BODY_RULES):
            wanted.setdefault((rule.Function, rule.ReceiverType or ""), []).append(rule)
        elif isinstance(rule, StructRule):
            structs.setdefault(rule.StructType, []).append(rule)
    names = {fn.encode() for fn, _ in wanted} | {name.encode() for name in structs}
    result = PackageSplice()
    parsed: dict[str, GoFile] = {}
    found: set[tuple[str, str]] = set()
    found_structs: set[str] = set()
    # Parsing is most of a splice's time (the runtime's 187 files, of which
    # every one holds a "g"): the files whose text shows a name as declared
    # (followed by its parameters, type parameters or struct) go first, and
    # the others that hold the name only while a target is still missing.
    named = [(path, src) for path, src in files if any(name in src for name in names)]
    declared = re.compile(rb"\b(?:" + b"|".join(map(re.escape, sorted(names))) + rb")\s*(?:\(|\[|struct\b)")
    first: list[tuple[str, bytes]] = []
    later: list[tuple[str, bytes]] = []
    for pair in named:
        (first if declared.search(pair[1]) else later).append(pair)
    for i, (path, src) in enumerate(first + later):
        if i >= len(first) and len(found) == len(wanted) and len(found_structs) == len(structs):
            break
        f = parsed[path] = parse(path, src)
        result.package_name = result.package_name or f.package_name
        edits: list[tuple[int, int, str]] = []
        for decl in f.root.children:
            if decl.type == "type_declaration":
                edits.extend(_struct_edits(f, decl, structs, found_structs))
            key = decl_key(f, decl)
            if key is None or key not in wanted or key in found:
                continue
            body = decl.child_by_field_name("body")
            if body is None:
                continue  # declared without a body (assembly): nothing to splice into
            whole(f, decl)
            rules = wanted[key]
            if (why := refusal(f, decl)) is not None:
                # Hook calls and spans stay out; raw rules are the rule author's call.
                result.refused.extend((r, why) for r in rules if not isinstance(r, RawRule))
                rules = [r for r in rules if isinstance(r, RawRule)]
            found.add(key)
            if rules:
                edits.extend(_function_edits(import_path, f, decl, rules, result, files, parsed))
        if edits:
            result.sources[path] = _apply(f, edits)
    result.missing = [r for key, rs in wanted.items() if key not in found for r in rs]
    result.missing += [r for name, rs in structs.items() if name not in found_structs for r in rs]
    return result


def _function_edits(import_path, f: GoFile, decl: Node, rules: list[Rule], result: PackageSplice, files, parsed):
    hooks = [r for r in rules if isinstance(r, FunctionRule)]
    site, edits = "", []
    if any(isinstance(r, IgnoreRule) for r in rules):
        site += _site("ignore_site")()
        result.quiet = True
    body = decl.child_by_field_name("body")
    if all(isinstance(r, IgnoreRule) for r in rules):  # the site names nothing of the function
        return [_site_edit(f, body, site)]
    target = _target(import_path, f, decl, hooks, len(result.targets), files, parsed)
    edits = _signature_edits(f, decl, target)
    site += "".join(f" {r.Raw.replace(chr(10), '; ')};" for r in rules if isinstance(r, RawRule))
    for rule in rules:
        if isinstance(rule, SpanRule):
            site += _span_site(f, target, rule, result.package_name)
            result.spans = True
    if hooks:
        result.targets.append(target)
        _collect_imports(f, decl, result.imports)
        for path, name in target.constraint_imports.items():
            _add_import(f.path, path, name, result.imports)
        site += _call_site(target)
    edits.append(_site_edit(f, body, site))
    return edits


def _site_edit(f: GoFile, body: Node, site: str) -> tuple[int, int, str]:
    """The site goes in right after the body's brace. A body that goes on
    on that line (`{ x := 1 }`) would have its columns moved: a /*line*/
    directive after the site gives them back, so that a compiler error
    points where the user's file has it. Not in a file with line
    directives of its own, which name other files."""
    at = body.start_byte + 1
    end = f.src.find(b"\n", at)
    rest = f.src[at : end if end >= 0 else len(f.src)]
    if rest.strip() and b"//line " not in f.src and b"/*line " not in f.src:
        site += f"/*line {f.path}:{body.start_point.row + 1}:{body.start_point.column + 2}*/"
    return (at, at, site)


def find_target(import_path: str, files: list[tuple[str, bytes]], function: str, receiver: str | None) -> Target | None:
    """The target of a function rule as the splice would see it, or None.
    NotHookable when the function is one no hook may enter (refusal())."""
    key = (function, receiver or "")
    parsed: dict[str, GoFile] = {}
    for path, src in files:
        if function.encode() not in src:
            continue
        f = parsed[path] = parse_cached(path, src)
        for decl in f.root.children:
            if decl_key(f, decl) == key and decl.child_by_field_name("body") is not None:
                if (why := refusal(f, decl)) is not None:
                    raise NotHookable(why)
                return _target(import_path, f, whole(f, decl), [], 0, files, parsed)
    return None


def _struct_edits(
    f: GoFile, decl: Node, structs: dict[str, list[StructRule]], found: set[str]
) -> list[tuple[int, int, str]]:
    """New fields go last, on the line of the closing brace: no line moves,
    and no offset the runtime's assembly knows changes."""
    edits = []
    for spec in descendants(decl, "type_spec"):
        name = f.text(spec.child_by_field_name("name"))
        body = spec.child_by_field_name("type")
        if name not in structs or name in found or body is None or body.type != "struct_type":
            continue
        whole(f, spec)
        found.add(name)
        fields = body.named_children[0]  # field_declaration_list
        closing = fields.end_byte - 1
        text = "".join(f"{r.FieldName} {r.FieldType}; " for r in structs[name])
        before = f.src[:closing].rstrip(b" \t")
        if not before.endswith((b"{", b";", b"\n")):
            text = "; " + text
        edits.append((closing, closing, text))
    return edits


# --- what the trampolines need ------------------------------------------------


def _target(import_path, f: GoFile, decl: Node, rules: list[FunctionRule], index: int, files, parsed) -> Target:
    name = f.text(decl.child_by_field_name("name"))
    type_param_names: set[str] = set()
    type_params = type_args = ""
    receiver = None
    type_arg_names: list[tuple[int, int, str]] = []
    constraint_imports: dict[str, str] = {}
    if decl.type == "method_declaration":
        recv_decl = decl.child_by_field_name("receiver").named_children[0]
        recv_type = recv_decl.child_by_field_name("type")
        type_params, type_args, type_param_names, type_arg_names, constraint_imports = _receiver_type_params(
            f, recv_type, files, parsed
        )
        receiver = _vars(import_path, f, [recv_decl], "otelgoRecv", type_param_names)[0]
        if type_arg_names:  # the receiver's type as the spliced signature spells it
            spelled = f.src[recv_type.start_byte : recv_type.end_byte]
            for start, end, given in sorted(type_arg_names, reverse=True):
                offset = start - recv_type.start_byte
                spelled = spelled[:offset] + given.encode() + spelled[offset + end - start :]
            receiver.type = spelled.decode()
        func_name = f"({receiver_key(f.text(recv_type))}).{name}"
        own = _own_type_params(f, decl)
        if own is not None:  # a generic method (Go 1.27): its type parameters follow the receiver's
            params_text, names, imports = own
            type_params = "[" + ", ".join(filter(None, [type_params[1:-1], params_text])) + "]"
            type_args = "[" + ", ".join(filter(None, [type_args[1:-1], *names])) + "]"
            type_param_names |= set(names)
            for path, package in imports.items():
                _add_import(f.path, path, package, constraint_imports)
    else:
        tp = decl.child_by_field_name("type_parameters")
        if tp is not None:
            type_params = f.text(tp)
            type_param_names = set(_type_param_names(f, tp))
            type_args = "[" + ", ".join(_type_param_names(f, tp)) + "]"
        func_name = name
    params = _vars(import_path, f, decl.child_by_field_name("parameters").named_children, "otelgoP", type_param_names)
    results = _vars(import_path, f, _result_decls(decl), "otelgoR", type_param_names)
    ordered = sorted(rules, key=lambda r: r.Order)
    return Target(
        index,
        func_name,
        ordered,
        receiver,
        params,
        results,
        type_params,
        type_args,
        f.path,
        dict(f.imports),
        type_arg_names,
        constraint_imports,
    )


def _own_type_params(f: GoFile, decl: Node) -> tuple[str, list[str], dict[str, str]] | None:
    """A generic method's own type parameters, which parse() blanked out for
    the grammar: "U any, V fmt.Stringer", their names, and the imports
    their constraints use (path -> name)."""
    span = method_type_params(f, decl)
    if span is None:
        return None
    where = f"{f.path}:{decl.start_point.row + 1}"
    # Read on their own, as the type parameters of a function.
    snippet = b"package p\nfunc f" + f.src[span[0] : span[1]] + b"() {}\n"
    root = parser().parse(snippet).root_node
    func = next((c for c in root.children if c.type == "function_declaration"), None)
    tp = func.child_by_field_name("type_parameters") if func is not None else None
    if root.has_error or tp is None:
        raise SpliceError(f"{where}: tree-sitter could not parse the type parameters of this method")
    params, names, imports = [], [], {}
    for d in tp.named_children:
        constraint = node_text(snippet, d.child_by_field_name("type"))
        for n in d.children_by_field_name("name"):
            names.append(node_text(snippet, n))
            params.append(f"{names[-1]} {constraint}")
        for q in descendants(d, "qualified_type"):
            package = node_text(snippet, q.child_by_field_name("package"))
            if package not in f.imports:
                raise SpliceError(f"{where}: package {package} is not imported")
            imports[f.imports[package]] = package
    return ", ".join(params), names, imports


def _type_param_names(f: GoFile, tp: Node) -> list[str]:
    return [f.text(n) for d in tp.named_children for n in d.children_by_field_name("name")]


def _result_decls(decl: Node) -> list[Node]:
    result = decl.child_by_field_name("result")
    if result is None:
        return []
    if result.type == "parameter_list":
        return result.named_children
    return [result]  # a single unnamed result type


def _vars(import_path: str, f: GoFile, decls: list[Node], prefix: str, type_params: set[str]) -> list[Var]:
    out: list[Var] = []
    for d in decls:
        if d.type == "comment":
            continue
        if d.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            # a bare result type: func f() error
            out.append(_var(import_path, f, f"{prefix}{len(out)}", d, False, type_params))
            continue
        type_node = d.child_by_field_name("type")
        names = [f.text(n) for n in d.children_by_field_name("name")] or [""]
        for n in names:
            usable = n if n and n != "_" else (prefix if prefix == "otelgoRecv" else f"{prefix}{len(out)}")
            out.append(_var(import_path, f, usable, type_node, d.type == "variadic_parameter_declaration", type_params))
    return out


def _var(import_path: str, f: GoFile, name: str, type_node: Node, variadic: bool, type_params: set[str]) -> Var:
    text = f.text(type_node)
    if variadic:
        text = "[]" + text
    nameable = _nameable(import_path, f, type_node, type_params)
    return Var(name, text, text if nameable and import_path != "main" else "interface{}")


def _nameable(import_path: str, f: GoFile, node: Node, type_params: set[str]) -> bool:
    """Can a hook package spell this type? If not, the hook gets interface{}."""
    if node.type == "qualified_type":
        path = f.imports.get(f.text(node.child_by_field_name("package")), "")
        return not _is_internal(path) and not (is_standard(import_path) and path.startswith("golang.org/x/"))
    if node.type == "type_identifier":
        name = f.text(node)
        if name in type_params:
            return False
        # The package's own exported types, unless no hook may import it.
        return name in PREDECLARED or name[0].isupper() and not _is_internal(import_path)
    if node.type in ("field_identifier",) and not f.text(node)[0].isupper():
        return False  # an unexported field or method of a struct or interface literal
    return all(_nameable(import_path, f, child, type_params) for child in node.named_children)


def _is_internal(path: str) -> bool:
    parts = path.split("/")
    return "internal" in parts or parts[0] == "vendor"


def _receiver_type_params(f: GoFile, recv_type: Node, files, parsed):
    """For a method of a generic type: its type parameters with the
    constraints of the type's declaration, renamed to the receiver's names
    (a receiver's _ gets a name of its own, otelgoT0...); the type
    arguments; the names; the edits that name the _; and the imports the
    constraints use."""
    generic = next(iter(descendants_or_self(recv_type, "generic_type")), None)
    if generic is None:
        return "", "", set(), [], {}
    args = generic.child_by_field_name("type_arguments").named_children
    names, blanks = [], []
    for i, arg in enumerate(args):
        name = f.text(arg)
        if name == "_":
            name = f"otelgoT{i}"
            blanks.append((arg.start_byte, arg.end_byte, name))
        names.append(name)
    base = f.text(generic.child_by_field_name("type"))
    found = _find_type_params(base, files, parsed)
    if found is None or len(found[1]) != len(names):
        raise SpliceError(f"cannot find the type parameters of {base}")
    declaring, declared = found
    renames = {old: new for (old, _), new in zip(declared, names, strict=True)}
    pattern = re.compile(r"\b(" + "|".join(re.escape(old) for old in renames) + r")\b")
    params, imports = [], {}
    for (_, constraint), new in zip(declared, names, strict=True):
        # All at once: renaming K to V and then V to K would undo the first.
        params.append(f"{new} {pattern.sub(lambda m: renames[m.group(1)], constraint.text)}")
        for q in descendants_or_self(constraint.node, "qualified_type"):
            package = declaring.text(q.child_by_field_name("package"))
            path = declaring.imports.get(package)
            if path is None:
                raise SpliceError(f"{declaring.path}: package {package} is not imported")
            _add_import(declaring.path, path, package, imports)
    return "[" + ", ".join(params) + "]", "[" + ", ".join(names) + "]", set(names), blanks, imports


@dataclass
class _Constraint:
    text: str
    node: Node


def _find_type_params(base: str, files, parsed) -> tuple[GoFile, list[tuple[str, _Constraint]]] | None:
    pattern = re.compile(rb"\btype\s+" + re.escape(base.encode()) + rb"\s*\[")
    grouped = re.compile(rb"\btype\s*\(")
    for path, src in files:
        if not (pattern.search(src) or grouped.search(src)):
            continue
        f = parsed.get(path) or parse(path, src)
        for spec in descendants(f.root, "type_spec"):
            if f.text(spec.child_by_field_name("name")) != base:
                continue
            tp = whole(f, spec).child_by_field_name("type_parameters")
            if tp is None:
                return None
            out = []
            for d in tp.named_children:
                node = d.child_by_field_name("type")
                out += [(f.text(n), _Constraint(f.text(node), node)) for n in d.children_by_field_name("name")]
            return f, out
    return None


def _collect_imports(f: GoFile, decl: Node, imports: dict[str, str]) -> None:
    """The imports that the types of this declaration's signature use."""
    sig_nodes = [decl.child_by_field_name(n) for n in ("receiver", "parameters", "result", "type_parameters")]
    for node in filter(None, sig_nodes):
        for q in descendants_or_self(node, "qualified_type"):
            name = f.text(q.child_by_field_name("package"))
            path = f.imports.get(name)
            if path is None:
                raise SpliceError(f"{f.path}: package {name} is not imported")
            _add_import(f.path, path, name, imports)


def _add_import(file: str, path: str, name: str, imports: dict[str, str]) -> None:
    """imports (path -> name) of the one trampolines file, which every file's
    signatures share: one name per path, one path per name."""
    if imports.get(path, name) != name:
        raise SpliceError(f"{file}: {path} is imported as {imports[path]} in one file and as {name} in another")
    clash = next((p for p, n in imports.items() if n == name and p != path), None)
    if clash is not None:
        raise SpliceError(f"{file}: import name {name} means {clash} in one file and {path} in another")
    imports[path] = name


# --- edits ----------------------------------------------------------------------


def _signature_edits(f: GoFile, decl: Node, target: Target) -> list[tuple[int, int, str]]:
    """Give the trampoline a name for everything it takes the address of."""
    edits = []
    groups = []
    edits.extend(target.type_arg_names)
    if decl.type == "method_declaration":
        groups.append((decl.child_by_field_name("receiver").named_children, [target.receiver]))
    groups.append((decl.child_by_field_name("parameters").named_children, target.params))
    edits.extend(_name_edits(f, groups))
    result = decl.child_by_field_name("result")
    if result is not None and result.type != "parameter_list":
        r = target.results[0]
        edits.append((result.start_byte, result.end_byte, f"({r.name} {f.text(result)})"))
    elif result is not None:
        edits.extend(_name_edits(f, [(result.named_children, target.results)]))
    return edits


def _name_edits(f: GoFile, groups) -> list[tuple[int, int, str]]:
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
                if f.text(n) == "_":
                    edits.append((n.start_byte, n.end_byte, var.name))
    return edits


def _span_site(f: GoFile, t: Target, rule: SpanRule, package: str) -> str:
    context_names = {name for name, path in f.imports.items() if path == "context"}
    ctx = next((v for v in t.params if v.type.split(".")[0] in context_names and v.type.endswith(".Context")), None)
    err = t.results[-1] if t.results and t.results[-1].type == "error" else None
    name = rule.SpanName or f"{package}.{t.func_name.replace('(*', '').replace('(', '').replace(')', '')}"
    attributes = [_go_string(f"{k}={v}") for k, v in sorted(rule.Attributes.items())]
    return _site("span_site")(_go_string(name), attributes, ctx and ctx.name, err and err.name)


def _go_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _call_site(t: Target) -> str:
    pointers = [f"&{v.name}" for v in [*([t.receiver] if t.receiver else []), *t.params, *t.results]]
    return _site("call_site")(t.index, t.type_args, pointers, [f"&{v.name}" for v in t.results])


def _site(name: str):
    from otelgo.gotemplate import macro  # here: planning reads targets and never renders one

    return macro(SITES, name)


def _apply(f: GoFile, edits: list[tuple[int, int, str]]) -> str:
    clause = f.package_clause
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
