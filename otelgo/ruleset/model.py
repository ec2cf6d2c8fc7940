"""Rules as otelgo uses them: plain frozen dataclasses, one per Kind.

Validation (validate.py, pydantic) happens at the edge, when a rule file is
read; from there on, planning, the plan file and the splicer all work with
these types. Standard library only: the compile side builds them again from
the plan file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from otelgo.hookapi import SPANS
from otelgo.versions import VersionRange


@dataclass(frozen=True)
class Library:
    """What a rule file's header says of the library its rules instrument,
    for the build summary and the README: its name, the metric instruments
    its hooks record, the contrib bridge that exports its records as
    OpenTelemetry logs, and what its rules give. A rule file that is a plain array of rules has none."""

    name: str
    metrics: tuple[str, ...] = ()
    log_bridge: str | None = None
    gives: str | None = None  # what its rules give, in a few words (the README's table)
    note: str | None = None  # what the build summary says when its rules apply
    opentelemetry: str | None = None  # the OpenTelemetry cores (a range) its hooks build with; None: every one


@dataclass(frozen=True, kw_only=True)
class _Rule:
    Name: str | None = None
    ImportPath: str
    Version: str | None = None
    Order: int = 0
    # Not a field of the rule file's rule: the header of the file it came from.
    library: Library | None = field(default=None, compare=False, repr=False)

    @property
    def version_range(self) -> VersionRange | None:
        return VersionRange.parse(self.Version) if self.Version else None

    @property
    def hook_package(self) -> str | None:
        return None

    def to_dict(self) -> dict[str, Any]:
        """The rule's fields, as a rule file spells them (plan file, digests)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "library"}


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
        return _method(self.ReceiverType, self.Function)


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
        return _method(self.ReceiverType, self.Function)


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
        attrs = tuple(sorted(self.Attributes.items()))
        return hash((self.ImportPath, self.Function, self.ReceiverType, self.SpanName, attrs))

    @property
    def hook_package(self) -> str | None:
        return SPANS

    @property
    def target(self) -> str:
        return "span " + _method(self.ReceiverType, self.Function)


@dataclass(frozen=True, kw_only=True)
class IgnoreRule(_Rule):
    """Made by planning, never read from a rule file: a function that an
    `//otel:ignore` comment leaves out (above it, or before the package
    clause of its file or in its package's doc comment). No other rule is
    spliced into it, and while it runs the hooks of what it calls are off on
    its goroutine (and on the goroutines it starts). Directive is where the
    comment is (file:line)."""

    Kind: str = "ignore"
    Function: str
    ReceiverType: str | None = None
    Directive: str = ""

    @property
    def target(self) -> str:
        return "ignore " + _method(self.ReceiverType, self.Function)


def _method(receiver: str | None, function: str) -> str:
    return f"({receiver}).{function}" if receiver else function


Rule = FunctionRule | RawRule | StructRule | FileRule | SpanRule | IgnoreRule
# The kinds of rule files (validate.py has the same), and those planning makes.
KINDS = {"function": FunctionRule, "raw": RawRule, "struct": StructRule, "file": FileRule, "span": SpanRule}
PLANNED_KINDS = {"ignore": IgnoreRule}

# Rules of these kinds edit a function's body; they are matched by (Function, ReceiverType).
BODY_RULES = (FunctionRule, RawRule, SpanRule, IgnoreRule)


def rule_from_dict(item: dict[str, Any], library: Library | None = None) -> Rule:
    """A rule from a validated dict (validate.py, the rule cache, the plan file)."""
    return (KINDS.get(item["Kind"]) or PLANNED_KINDS[item["Kind"]])(**item, library=library)
