"""--without (or `without` in otelgo.toml): instrumentations left out of the
build entirely: their rules are dropped before matching, so no hook is
spliced, no hook package linked, and only the packages those rules matched
(and what depends on them) compile differently: each package's rules are
keyed into its own cache entry (plan/cachekeys.py), not into the token.

An instrumentation is named as at run time (rules/api: api.Names): a hook
package's import path, its last element, or a library's folder under rules/,
ignoring case and punctuation (net/http, NetHTTP); a rule without a hook
package (raw, struct and file rules) belongs to the folder of its rule file.
"""

from __future__ import annotations

import difflib

from otelgo.hookapi import PLUMBING, ROOT_MODULE, SPANS
from otelgo.resources import rules_dir
from otelgo.ruleset.load import rule_source
from otelgo.ruleset.model import Rule

RULES_PREFIX = ROOT_MODULE + "/"


class WithoutError(Exception):
    pass


def instrumentation(rule: Rule) -> str | None:
    """The hook package a rule belongs to: its own, or for a built-in rule
    without one, its rule file's folder as a package of otelgo.dev/rules."""
    if rule.hook_package:
        return rule.hook_package
    source = rule_source(rule)
    if source is not None and source.is_relative_to(rules_dir()):
        return RULES_PREFIX + source.parent.relative_to(rules_dir()).as_posix()
    return None


def names(name: str, hook_package: str) -> bool:
    """Whether name, as the switches spell it, names hook_package (the
    same as api.Names in rules/api)."""
    if name == hook_package:
        return True
    key = _fold(name)
    if not key:
        return False
    if key == _fold(hook_package.rsplit("/", 1)[-1]):
        return True
    if hook_package.startswith(RULES_PREFIX):
        rest = hook_package.removeprefix(RULES_PREFIX)
        return key == _fold(rest.split("/", 1)[0]) or name == rest
    return False


def _fold(name: str) -> str:
    return "".join(c for c in name.lower() if c.isascii() and c.isalnum())


def leave_out(rules: list[Rule], without: list[str]) -> tuple[list[Rule], list[Rule]]:
    """(rules kept, rules left out); a name that names no instrumentation, or
    one that is not an instrumentation (the SDK, the goroutine context), is
    an error."""
    if not without:
        return rules, []
    packages = {p for p in map(instrumentation, rules) if p} | {SPANS}  # SPANS: //otel:span comments
    problems = []
    for name in without:
        plumbing = sorted(p for p in PLUMBING if names(name, p))
        if plumbing:
            problems.append(
                f"--without {name}: {plumbing[0]} is not an instrumentation and cannot be left out "
                "(OTEL_SDK_DISABLED=true switches everything off at run time)"
            )
        elif not any(names(name, p) for p in packages):
            known = sorted({p.rsplit("/", 1)[-1] for p in packages if p not in PLUMBING})
            close = difflib.get_close_matches(name.lower(), known, n=3)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            problems.append(f"--without {name}: no instrumentation has that name{hint}; known: {', '.join(known)}")
    if problems:
        raise WithoutError("\n".join(problems))
    kept, left = [], []
    for rule in rules:
        package = instrumentation(rule)
        (left if package and any(names(n, package) for n in without) else kept).append(rule)
    return kept, left
