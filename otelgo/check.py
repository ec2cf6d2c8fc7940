"""Check, before anything is compiled, that each hook fits its target.

Hooks are reached through //go:linkname, which checks nothing: a hook whose
parameters differ from what the trampoline passes would read garbage. So for
every function rule that applies, the target function is found in its
package and the hook in its hook package, both with tree-sitter, and their
types compared after spelling every named type by its import path.

A verdict depends only on the files involved, so it is kept in the cache
keyed by their sizes and modification times: an unchanged build checks
nothing again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from otelgo.golist import Package
from otelgo.rules import FunctionRule
from otelgo.splice import (
    PREDECLARED,
    SpliceError,
    _descendants,
    _descendants_or_self,
    _file_imports,
    _parser,
    _text,
    find_target,
)

API_CONTEXT = "otelgo.dev/rules/api.CallContext"


@dataclass
class Verdict:
    problems: list[str]  # hooks that do not fit: the build must stop
    missing: list[str]  # functions not found in their package: the rule is skipped


def check_hooks(
    applied: dict[str, list], packages: dict[str, Package], commands: list[Package], cache: Path, describe
) -> Verdict:
    verdict = Verdict([], [])
    for key, rules in applied.items():
        targets = commands if key == "main" else [packages[key]] if key in packages else []
        for rule in rules:
            if not isinstance(rule, FunctionRule) or rule.Path not in packages:
                continue
            for pkg in targets:
                _check_one(rule, pkg, packages[rule.Path], cache, describe, verdict)
    return verdict


def _files(pkg: Package) -> list[Path]:
    return [pkg.dir / name for name in pkg.go_files] if pkg.dir else []


def _cache_key(rule: FunctionRule, files: list[Path]) -> str:
    # The bytes pydantic's model_dump_json gave: verdicts cached before stay found.
    h = hashlib.sha256(json.dumps(rule.to_dict(), separators=(",", ":"), ensure_ascii=False).encode())
    for f in files:
        st = f.stat()
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


def _check_one(rule, pkg: Package, hook_pkg: Package, cache: Path, describe, verdict: Verdict) -> None:
    files = _files(pkg) + _files(hook_pkg)
    marker = cache / _cache_key(rule, files)
    if marker.exists():
        return
    try:
        found = _compare(rule, pkg, hook_pkg, describe)
    except (OSError, SpliceError) as e:
        verdict.missing.append(f"{describe(rule)}: cannot check {pkg.import_path}: {e}")
        return
    if found is None:
        cache.mkdir(parents=True, exist_ok=True)
        marker.touch()
    elif found.startswith("missing:"):
        verdict.missing.append(found.removeprefix("missing:"))
    else:
        verdict.problems.append(found)


def _compare(rule: FunctionRule, pkg: Package, hook_pkg: Package, describe) -> str | None:
    sources = [(str(p), p.read_bytes()) for p in _files(pkg)]
    target = find_target(pkg.import_path, sources, rule.Function, rule.ReceiverType)
    if target is None:
        return f"missing:{describe(rule)}: {rule.target} not found in {pkg.import_path}"
    own = pkg.import_path
    for hook_name, vars_ in (
        (rule.OnEnter, ([target.receiver] if target.receiver else []) + target.params),
        (rule.OnExit, target.results),
    ):
        if not hook_name:
            continue
        want = [API_CONTEXT] + [
            "any" if v.hook_type == "interface{}" else canonical(v.type, target.imports, own) for v in vars_
        ]
        got = _hook_params(hook_pkg, hook_name)
        if got is None:
            return f"{describe(rule)}: hook {rule.Path}.{hook_name} not found (an exported func in that package)"
        if got != want:
            return (
                f"{describe(rule)}: hook {rule.Path}.{hook_name} has parameters ({_show(got)}) "
                f"but {pkg.import_path}.{rule.target} needs ({_show(want)})"
            )
    return None


def _show(types: list[str]) -> str:
    return ", ".join(t.rsplit("/", 1)[-1] for t in types)


def _hook_params(hook_pkg: Package, name: str) -> list[str] | None:
    for path in _files(hook_pkg):
        src = path.read_bytes()
        if name.encode() not in src:
            continue
        root = _parser().parse(src).root_node
        imports = _file_imports(src, root)
        for decl in root.children:
            if decl.type != "function_declaration" or _text(src, decl.child_by_field_name("name")) != name:
                continue
            out = []
            for d in decl.child_by_field_name("parameters").named_children:
                if d.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                    continue
                text = _text(src, d.child_by_field_name("type"))
                if d.type == "variadic_parameter_declaration":
                    text = "[]" + text
                count = max(1, len(d.children_by_field_name("name")))
                out += [canonical(text, imports, hook_pkg.import_path)] * count
            return out
    return None


def canonical(type_text: str, imports: dict[str, str], own: str) -> str:
    """A type as a string that is equal for equal types however they are
    spelled: import names resolved to paths, own types qualified."""
    src = f"package p\n\nvar _ {type_text}\n".encode()
    root = _parser().parse(src).root_node
    spec = next(_descendants(root, "var_spec"), None)
    node = spec.child_by_field_name("type") if spec is not None else None
    if node is None:
        return re.sub(r"\s+", "", type_text)
    edits = []
    for q in _descendants_or_self(node, "qualified_type"):
        name = _text(src, q.child_by_field_name("package"))
        edits.append(
            (q.start_byte, q.end_byte, f"{imports.get(name, name)}.{_text(src, q.child_by_field_name('name'))}")
        )
    for t in _descendants_or_self(node, "type_identifier"):
        if t.parent.type == "qualified_type":
            continue
        name = _text(src, t)
        if name not in PREDECLARED:
            edits.append((t.start_byte, t.end_byte, f"{own}.{name}"))
    text = src
    for start, end, repl in sorted(edits, reverse=True):
        text = text[:start] + repl.encode() + text[end:]
    out = text[node.start_byte : len(text) - (len(src) - node.end_byte)].decode()
    out = re.sub(r"\s+", "", out)
    return "any" if out == "interface{}" else out.replace("interface{}", "any")
