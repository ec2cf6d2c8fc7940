"""Rule files: JSON arrays of rules, validated before anything is compiled.

Inside otelgo a rule is a plain frozen dataclass. Validation (pydantic,
otelgo/rulecheck.py) is the edge: it runs only for a rule file whose bytes
otelgo/rulecache.py has not seen validated, so a warm build imports no
pydantic. Every problem is reported with the file, the rule (index and
Name) and the field, and all problems of a file are reported together.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from otelgo import rulecache
from otelgo.resources import rules_dir
from otelgo.versions import VersionRange

# What names in rules look like, and how a problem says what they are not
# (otelgo/rulecheck.py and otelgo/annotations.py check with these).
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
IMPORT_PATH = (r"[A-Za-z0-9_.~+-]+(/[A-Za-z0-9_.~+-]+)*", "a Go import path")
FUNCTION_NAME = (IDENT, "a Go function name")
RECEIVER_TYPE = (rf"\*?{IDENT}", 'a receiver type such as "*Transport" or "Client"')
HOOK_NAME = (r"[A-Z][A-Za-z0-9_]*", "an exported Go function name")


def name_problem(text: str | None, pattern: str, what: str) -> str | None:
    """Why a name does not fit, if it does not (None passes: optional fields)."""
    if text is not None and not re.match(f"^{pattern}$", text):
        return f"{text!r} is not {what}"
    return None


RULES_ENV = "OTELGO_RULES"


class RuleError(Exception):
    """One or more problems in rule files, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, kw_only=True)
class _Rule:
    Name: str | None = None
    ImportPath: str
    Version: str | None = None
    Order: int = 0

    @property
    def version_range(self) -> VersionRange | None:
        return VersionRange.parse(self.Version) if self.Version else None

    @property
    def hook_package(self) -> str | None:
        return None

    def to_dict(self) -> dict[str, Any]:
        """All fields, as the rule file would spell them (plan.json, tokens)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, kw_only=True)
class FunctionRule(_Rule):
    """Hooks around one function or method: OnEnter before its body, OnExit after."""

    Kind: str = "function"
    Function: str
    ReceiverType: str | None = None
    OnEnter: str | None = None
    OnExit: str | None = None
    Path: str

    @property
    def hook_package(self) -> str | None:
        return self.Path

    @property
    def target(self) -> str:
        """The function as Go spells a method expression: (*Transport).RoundTrip."""
        if self.ReceiverType:
            return f"({self.ReceiverType}).{self.Function}"
        return self.Function


@dataclass(frozen=True, kw_only=True)
class RawRule(_Rule):
    """Go statements spliced in at the start of a function's body. Unnamed
    results are named otelgoR0, otelgoR1...; a `defer` runs code at return."""

    Kind: str = "raw"
    Function: str
    ReceiverType: str | None = None
    Raw: str

    @property
    def target(self) -> str:
        return f"({self.ReceiverType}).{self.Function}" if self.ReceiverType else self.Function


@dataclass(frozen=True, kw_only=True)
class StructRule(_Rule):
    """A field added at the end of a struct type."""

    Kind: str = "struct"
    StructType: str
    FieldName: str
    FieldType: str

    @property
    def target(self) -> str:
        return f"{self.StructType}.{self.FieldName}"


@dataclass(frozen=True, kw_only=True)
class FileRule(_Rule):
    """A Go file added to the package; File is relative to the rule file."""

    Kind: str = "file"
    File: str

    @property
    def target(self) -> str:
        return f"+{Path(self.File).name}"


@dataclass(frozen=True, kw_only=True)
class SpanRule(_Rule):
    """A span around a function: named SpanName (default: the function's
    qualified name), with Attributes, a child of the span in its
    context.Context parameter (or of the goroutine's current span), which it
    replaces for the body; a non-nil last error result is recorded. A
    `//otel:span [name] [key=value...]` comment above a function of the
    user's own code makes one of these."""

    Kind: str = "span"
    Function: str
    ReceiverType: str | None = None
    SpanName: str | None = None
    Attributes: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:  # Attributes is a dict
        return hash(
            (self.ImportPath, self.Function, self.ReceiverType, self.SpanName, tuple(sorted(self.Attributes.items())))
        )

    @property
    def hook_package(self) -> str | None:
        return SPAN_HOOKS

    @property
    def target(self) -> str:
        return f"span ({self.ReceiverType}).{self.Function}" if self.ReceiverType else f"span {self.Function}"


SPAN_HOOKS = "otelgo.dev/rules/annotate"

Rule = FunctionRule | RawRule | StructRule | FileRule | SpanRule
KINDS = {"function": FunctionRule, "raw": RawRule, "struct": StructRule, "file": FileRule, "span": SpanRule}


def rule_from_dict(item: dict[str, Any]) -> Rule:
    """A rule from a validated dict (rulecheck.validate, the cache)."""
    return KINDS[item["Kind"]](**item)


def load_file(path: Path) -> list[Rule]:
    """Read and validate one rule file; raise RuleError listing every problem."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RuleError([f"{path}: cannot read rule file: {e.strerror}"]) from None
    key = rulecache.key(data)
    entries = _cached(key)
    if entries is None:
        validated = _validate(path, data)
        if all(isinstance(e, dict) for e in validated):
            rulecache.put(key, validated)
        entries = [e if isinstance(e, list) else rule_from_dict(e) for e in validated]
    rules, problems = [], []
    for index, rule in enumerate(entries):
        if isinstance(rule, list):  # the problems of an invalid rule
            problems.extend(rule)
            continue
        if isinstance(rule, FileRule):
            rule = _resolve_file(rule, path, index, problems)
        if rule is not None:
            rules.append(rule)
            _SOURCES[rule] = (path, index)
    if problems:
        raise RuleError(problems)
    return rules


def _cached(key: str) -> list[Rule] | None:
    """The validated rules of a file seen before; an entry that does not
    make well-typed rules (a damaged cache file) is a miss."""
    entries = rulecache.get(key)
    if entries is None:
        return None
    try:
        rules = [rule_from_dict(entry) for entry in entries]
        typed = all(_FIELD_TYPES[f.type](getattr(r, f.name)) for r in rules for f in dataclasses.fields(r))
    except (KeyError, TypeError):
        return None
    return rules if typed else None


# The field types of the rule dataclasses, as checks of a value.
_FIELD_TYPES = {
    "str": lambda v: isinstance(v, str),
    "str | None": lambda v: v is None or isinstance(v, str),
    "int": lambda v: type(v) is int,
    "dict[str, str]": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
}


def _validate(path: Path, data: bytes) -> list[dict | list[str]]:
    """The file's rules as dicts, or each invalid rule's problems; pydantic
    is imported here and nowhere else."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise RuleError([f"{path}: not UTF-8 text (byte {e.start})"]) from None
    except json.JSONDecodeError as e:
        raise RuleError([f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}"]) from None
    except (ValueError, RecursionError) as e:  # giant numbers, absurd nesting
        raise RuleError([f"{path}: not a usable JSON document: {one_line(str(e)) or type(e).__name__}"]) from None
    if not isinstance(raw, list):
        raise RuleError([f"{path}: a rule file holds a JSON array of rules, not {type(raw).__name__}"])
    from otelgo import rulecheck

    return rulecheck.validate(path, raw)


_SOURCES: dict = {}  # rule -> (file, index), for messages


def rule_source(rule: Rule) -> Path | None:
    """The file a rule was loaded from."""
    return _SOURCES[rule][0] if rule in _SOURCES else None


def describe(rule: Rule) -> str:
    """How messages name a rule: its file, index and Name."""
    path, index = _SOURCES.get(rule, ("(rules)", "?"))
    return f"{path}: {describe_item(index, rule.Name)}"


def describe_item(index: int, name: Any) -> str:
    """How problems name an item of a rule file's array."""
    return f"rule {index}" + (f" ({name})" if isinstance(name, str) else "")


def one_line(problem: str) -> str:
    """One problem, one line, whatever the rule file's strings hold."""
    return problem.replace("\r", "\\r").replace("\n", "\\n")


def _resolve_file(rule: FileRule, path: Path, index: int, problems: list[str]) -> FileRule | None:
    """Not cached: the Go file beside the rule file may come and go."""
    try:
        file = (path.parent / rule.File).resolve()
        usable = file.is_file() and file.suffix == ".go"
    except (OSError, ValueError):  # a name too long, a NUL byte
        usable = False
    if not usable:
        problems.append(
            one_line(
                f"{path}: {describe_item(index, rule.Name)}: File: {rule.File[:200]!r} "
                "is not a Go file beside the rule file"
            )
        )
        return None
    return dataclasses.replace(rule, File=str(file))


def builtin_rule_files() -> list[Path]:
    return sorted(rules_dir().glob("*/*.json"))


def user_rule_files(cli_files: tuple[str, ...] = ()) -> list[Path]:
    env = [p for p in os.environ.get(RULES_ENV, "").split(os.pathsep) if p]
    return [Path(p).resolve() for p in (*env, *cli_files)]


def load_all(files: list[Path]) -> list[Rule]:
    """Load every file, collecting the problems of all of them before failing."""
    rules, problems = [], []
    for path in files:
        try:
            rules.extend(load_file(path))
        except RuleError as e:
            problems.extend(e.problems)
    if problems:
        raise RuleError(problems)
    return rules
