"""Check, before anything is compiled, that each hook fits its target.

Hooks are reached through //go:linkname, which checks nothing: a hook whose
parameters differ from what the trampoline passes would read garbage. So for
every function rule that applies, the target function is found in its
package and the hook in its hook package, both with tree-sitter, and their
types compared after spelling every named type by its import path.

A verdict depends only on the files involved, so it is kept in the cache
keyed by their sizes and modification times: an unchanged build checks
nothing again. The verdicts on the standard library's targets are also
made when otelgo is installed (install_std_checks), for the Go on PATH then:
a build with an empty cache, in a container or a CI job, checks only the
hooks of the other libraries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from otelgo.gocmd.golist import Package, list_deps
from otelgo.gocmd.importpath import is_standard
from otelgo.hookapi import CALL_CONTEXT
from otelgo.resources import installation_dir, private_dir, readable_by_all, rules_dir
from otelgo.ruleset.model import FunctionRule
from otelgo.splice.edit import find_target
from otelgo.splice.gosource import (
    PREDECLARED,
    NotHookable,
    SpliceError,
    descendants,
    descendants_or_self,
    file_imports,
    parser,
    text,
)


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
    h = hashlib.sha256(json.dumps(rule.to_dict(), sort_keys=True).encode())
    for f in files:
        st = f.stat()
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


def _check_one(rule, pkg: Package, hook_pkg: Package, cache: Path, describe, verdict: Verdict) -> None:
    files = _files(pkg) + _files(hook_pkg)
    marker = cache / _cache_key(rule, files)
    if marker.exists() or (installed_dir() / marker.name).exists():
        return
    try:
        found = _compare(rule, pkg, hook_pkg, describe)
    except NotHookable as e:
        verdict.missing.append(f"{describe(rule)}: {rule.target} in {pkg.import_path} gets no hook: {e}")
        return
    except (OSError, SpliceError) as e:
        verdict.missing.append(f"{describe(rule)}: cannot check {pkg.import_path}: {e}")
        return
    if found is None:
        private_dir(cache)
        marker.touch()
    elif found.startswith("missing:"):
        verdict.missing.append(found.removeprefix("missing:"))
    else:
        verdict.problems.append(found)


def installed_dir() -> Path:
    """The verdicts made when otelgo was installed."""
    return installation_dir() / "checked"


def install_std_checks() -> Path:
    """Check the built-in hooks of standard-library functions against the Go
    on PATH, into installed_dir(), readable by every user of the
    installation; install.sh runs this. Only the hooks that fit leave a
    verdict: a build checks the others again and says what is wrong."""
    from otelgo.ruleset.load import builtin_rule_files, describe, load_all

    rules = [r for r in load_all(builtin_rule_files()) if isinstance(r, FunctionRule) and r.Path]
    rules = [r for r in rules if is_standard(r.ImportPath)]
    env = {k: v for k, v in os.environ.items() if k != "GOFLAGS"} | {"GOWORK": "off"}
    patterns = sorted({r.ImportPath for r in rules} | {r.Path for r in rules})
    packages = {p.import_path: p for p in list_deps(patterns, [], rules_dir(), env)}
    into = installed_dir()
    for rule in rules:
        if rule.ImportPath in packages and rule.Path in packages:
            _check_one(rule, packages[rule.ImportPath], packages[rule.Path], into, describe, Verdict([], []))
    readable_by_all(into)
    return into


def _compare(rule: FunctionRule, pkg: Package, hook_pkg: Package, describe) -> str | None:
    sources = [(str(p), p.read_bytes()) for p in _files(pkg)]
    # A program's package is compiled as -p main, which the splice is given:
    # every type of it reaches the hooks as any.
    target = find_target("main" if pkg.is_command else pkg.import_path, sources, rule.Function, rule.ReceiverType)
    if target is None:
        return f"missing:{describe(rule)}: {rule.target} not found in {pkg.import_path}"
    own = pkg.import_path
    for hook_name, vars_ in (
        (rule.OnEnter, ([target.receiver] if target.receiver else []) + target.params),
        (rule.OnExit, target.results),
    ):
        if not hook_name:
            continue
        want = [CALL_CONTEXT] + [
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
        st = path.stat()
        found = _hook_signatures(str(path), st.st_size, st.st_mtime_ns, hook_pkg.import_path).get(name)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=64)
def _hook_signatures(path: str, size: int, mtime: int, import_path: str) -> dict[str, list[str]]:
    """The parameter types of every function of one hook file, read once
    however many rules name hooks in it."""
    src = Path(path).read_bytes()
    root = parser().parse(src).root_node
    imports = file_imports(src, root)
    out: dict[str, list[str]] = {}
    for decl in root.children:
        if decl.type != "function_declaration":
            continue
        params = []
        for d in decl.child_by_field_name("parameters").named_children:
            if d.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            type_text = text(src, d.child_by_field_name("type"))
            if d.type == "variadic_parameter_declaration":
                type_text = "[]" + type_text
            count = max(1, len(d.children_by_field_name("name")))
            params += [canonical(type_text, imports, import_path)] * count
        out.setdefault(text(src, decl.child_by_field_name("name")), params)
    return out


def canonical(type_text: str, imports: dict[str, str], own: str) -> str:
    """A type as a string that is equal for equal types however they are
    spelled: import names resolved to paths, own types qualified."""
    src = f"package p\n\nvar _ {type_text}\n".encode()
    root = parser().parse(src).root_node
    spec = next(descendants(root, "var_spec"), None)
    node = spec.child_by_field_name("type") if spec is not None else None
    if node is None:
        return re.sub(r"\s+", "", type_text)
    edits = []
    for q in descendants_or_self(node, "qualified_type"):
        name = text(src, q.child_by_field_name("package"))
        edits.append(
            (q.start_byte, q.end_byte, f"{imports.get(name, name)}.{text(src, q.child_by_field_name('name'))}")
        )
    for t in descendants_or_self(node, "type_identifier"):
        if t.parent.type == "qualified_type":
            continue
        name = text(src, t)
        if name not in PREDECLARED:
            edits.append((t.start_byte, t.end_byte, f"{own}.{name}"))
    spelled = src
    for start, end, repl in sorted(edits, reverse=True):
        spelled = spelled[:start] + repl.encode() + spelled[end:]
    out = spelled[node.start_byte : len(spelled) - (len(src) - node.end_byte)].decode()
    out = re.sub(r"\s+", "", out)
    return "any" if out == "interface{}" else out.replace("interface{}", "any")


if __name__ == "__main__":
    print(install_std_checks())
