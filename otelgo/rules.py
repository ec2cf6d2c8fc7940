"""Rule files: JSON arrays of rules, validated before anything is compiled.

Every problem is reported with the file, the rule (index and Name) and the
field, and all problems of a file are reported together.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from otelgo.resources import rules_dir
from otelgo.versions import VersionError, VersionRange

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_EXPORTED = r"[A-Z][A-Za-z0-9_]*"
_IMPORT_PATH = re.compile(r"^[A-Za-z0-9_.~+-]+(/[A-Za-z0-9_.~+-]+)*$")

RULES_ENV = "OTELGO_RULES"


class RuleError(Exception):
    """One or more problems in rule files, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _check_version(text: str | None) -> str | None:
    if text is not None:
        try:
            VersionRange.parse(text)
        except VersionError as e:
            raise ValueError(str(e)) from None
    return text


def _check_import_path(text: str) -> str:
    if not _IMPORT_PATH.match(text):
        raise ValueError(f"{text!r} is not a Go import path")
    return text


def _check(pattern: str, what: str):
    regex = re.compile(f"^{pattern}$")

    def check(text: str | None) -> str | None:
        if text is not None and not regex.match(text):
            raise ValueError(f"{text!r} is not {what}")
        return text

    return AfterValidator(check)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    Name: Annotated[str, Field(min_length=1)] | None = None
    ImportPath: Annotated[str, AfterValidator(_check_import_path)]
    Version: Annotated[str | None, AfterValidator(_check_version)] = None
    Order: int = 0

    @property
    def version_range(self) -> VersionRange | None:
        return VersionRange.parse(self.Version) if self.Version else None

    @property
    def hook_package(self) -> str | None:
        return None


class FunctionRule(_Rule):
    """Hooks around one function or method: OnEnter before its body, OnExit after."""

    Kind: Literal["function"] = "function"
    Function: Annotated[str, _check(_IDENT, "a Go function name")]
    ReceiverType: Annotated[str | None, _check(rf"\*?{_IDENT}", 'a receiver type such as "*Transport" or "Client"')] = None
    OnEnter: Annotated[str | None, _check(_EXPORTED, "an exported Go function name")] = None
    OnExit: Annotated[str | None, _check(_EXPORTED, "an exported Go function name")] = None
    Path: Annotated[str, AfterValidator(_check_import_path)]

    @model_validator(mode="after")
    def _has_a_hook(self) -> "FunctionRule":
        if not self.OnEnter and not self.OnExit:
            raise ValueError("a rule needs OnEnter, OnExit or both")
        return self

    @property
    def hook_package(self) -> str | None:
        return self.Path

    @property
    def target(self) -> str:
        """The function as Go spells a method expression: (*Transport).RoundTrip."""
        if self.ReceiverType:
            return f"({self.ReceiverType}).{self.Function}"
        return self.Function


class RawRule(_Rule):
    """Go statements spliced in at the start of a function's body. Unnamed
    results are named otelgoR0, otelgoR1...; a `defer` runs code at return."""

    Kind: Literal["raw"]
    Function: Annotated[str, _check(_IDENT, "a Go function name")]
    ReceiverType: Annotated[str | None, _check(rf"\*?{_IDENT}", 'a receiver type such as "*Transport" or "Client"')] = None
    Raw: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _one_line(self) -> "RawRule":
        if "//" in self.Raw:
            raise ValueError("Raw code is spliced into one line: use /* */ comments, not //")
        return self

    @property
    def target(self) -> str:
        return f"({self.ReceiverType}).{self.Function}" if self.ReceiverType else self.Function


class StructRule(_Rule):
    """A field added at the end of a struct type."""

    Kind: Literal["struct"]
    StructType: Annotated[str, _check(_IDENT, "a Go type name")]
    FieldName: Annotated[str, _check(_IDENT, "a Go field name")]
    FieldType: Annotated[str, Field(min_length=1)]

    @property
    def target(self) -> str:
        return f"{self.StructType}.{self.FieldName}"


class FileRule(_Rule):
    """A Go file added to the package; File is relative to the rule file."""

    Kind: Literal["file"]
    File: Annotated[str, Field(min_length=1)]

    @property
    def target(self) -> str:
        return f"+{Path(self.File).name}"


class SpanRule(_Rule):
    """A span around a function: named SpanName (default: the function's
    qualified name), with Attributes, a child of the span in its
    context.Context parameter (or of the goroutine's current span), which it
    replaces for the body; a non-nil last error result is recorded. A
    `//otel:span [name] [key=value...]` comment above a function of the
    user's own code makes one of these."""

    Kind: Literal["span"]
    Function: Annotated[str, _check(_IDENT, "a Go function name")]
    ReceiverType: Annotated[str | None, _check(rf"\*?{_IDENT}", 'a receiver type such as "*Transport" or "Client"')] = None
    SpanName: str | None = None
    Attributes: dict[str, str] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", frozen=False)

    def __hash__(self) -> int:
        return hash((self.ImportPath, self.Function, self.ReceiverType, self.SpanName, tuple(sorted(self.Attributes.items()))))

    @property
    def hook_package(self) -> str | None:
        return SPAN_HOOKS

    @property
    def target(self) -> str:
        return f"span ({self.ReceiverType}).{self.Function}" if self.ReceiverType else f"span {self.Function}"


SPAN_HOOKS = "otelgo.dev/rules/annotate"

Rule = FunctionRule | RawRule | StructRule | FileRule | SpanRule
_KINDS = {"function": FunctionRule, "raw": RawRule, "struct": StructRule, "file": FileRule, "span": SpanRule}


def _describe(index: int, raw: Any) -> str:
    name = raw.get("Name") if isinstance(raw, dict) else None
    return f"rule {index}" + (f" ({name})" if isinstance(name, str) else "")


def _field(loc: tuple) -> str:
    field = ".".join(str(part) for part in loc)
    return field or "(rule)"


def load_file(path: Path) -> list[Rule]:
    """Read and validate one rule file; raise RuleError listing every problem."""
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as e:
        raise RuleError([f"{path}: cannot read rule file: {e.strerror}"]) from None
    except UnicodeDecodeError as e:
        raise RuleError([f"{path}: not UTF-8 text (byte {e.start})"]) from None
    except json.JSONDecodeError as e:
        raise RuleError([f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}"]) from None
    except (ValueError, RecursionError) as e:  # giant numbers, absurd nesting
        raise RuleError([f"{path}: not a usable JSON document: {_one_line(str(e)) or type(e).__name__}"]) from None
    if not isinstance(raw, list):
        raise RuleError([f"{path}: a rule file holds a JSON array of rules, not {type(raw).__name__}"])
    rules, problems = [], []
    for index, item in enumerate(raw):
        kind = item.get("Kind", "function") if isinstance(item, dict) else "function"
        model = _KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            problems.append(_one_line(f"{path}: {_describe(index, item)}: Kind: {kind!r} is not one of {', '.join(_KINDS)}"))
            continue
        try:
            rule = model.model_validate(item)
        except ValidationError as e:
            for err in e.errors():
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(_one_line(f"{path}: {_describe(index, item)}: {_field(err['loc'])}: {msg}"))
            continue
        if isinstance(rule, FileRule):
            rule = _resolve_file(rule, path, index, item, problems)
        if rule is not None:
            rules.append(rule)
            _SOURCES[rule] = (path, index)
    if problems:
        raise RuleError(problems)
    return rules


_SOURCES: dict = {}  # rule -> (file, index), for messages


def rule_source(rule: Rule) -> Path | None:
    """The file a rule was loaded from."""
    return _SOURCES[rule][0] if rule in _SOURCES else None


def describe(rule: Rule) -> str:
    """How messages name a rule: its file, index and Name."""
    path, index = _SOURCES.get(rule, ("(rules)", "?"))
    return f"{path}: rule {index}" + (f" ({rule.Name})" if rule.Name else "")


def _one_line(problem: str) -> str:
    """One problem, one line, whatever the rule file's strings hold."""
    return problem.replace("\r", "\\r").replace("\n", "\\n")


def _resolve_file(rule: FileRule, path: Path, index: int, item: Any, problems: list[str]) -> FileRule | None:
    try:
        file = (path.parent / rule.File).resolve()
        usable = file.is_file() and file.suffix == ".go"
    except (OSError, ValueError):  # a name too long, a NUL byte
        usable = False
    if not usable:
        problems.append(_one_line(f"{path}: {_describe(index, item)}: File: {rule.File[:200]!r} is not a Go file beside the rule file"))
        return None
    return rule.model_copy(update={"File": str(file)})


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
