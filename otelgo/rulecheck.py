"""Validation of rule files: pydantic models at the edge.

Imported only when a rule file's bytes are not in the validated-rules
cache (otelgo/rulecache.py): pydantic and the model classes take over
100 ms to import, and a warm build's plan phase needs neither. Everything
inside otelgo works with the plain dataclasses of otelgo/rules.py, built
from what these models dump.

Every problem is reported with the file, the rule (index and Name) and the
field, and all problems of a file are reported together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from otelgo.rules import (
    FUNCTION_NAME,
    HOOK_NAME,
    IDENT,
    IMPORT_PATH,
    RECEIVER_TYPE,
    describe_item,
    name_problem,
    one_line,
)
from otelgo.versions import VersionError, VersionRange


def _check_version(text: str | None) -> str | None:
    if text is not None:
        try:
            VersionRange.parse(text)
        except VersionError as e:
            raise ValueError(str(e)) from None
    return text


def _check(pattern: str, what: str) -> AfterValidator:
    def check(text: str | None) -> str | None:
        problem = name_problem(text, pattern, what)
        if problem:
            raise ValueError(problem)
        return text

    return AfterValidator(check)


_IMPORT_PATH = Annotated[str, _check(*IMPORT_PATH)]
_FUNCTION = Annotated[str, _check(*FUNCTION_NAME)]
_RECEIVER = Annotated[str | None, _check(*RECEIVER_TYPE)]
_HOOK = Annotated[str | None, _check(*HOOK_NAME)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    Name: Annotated[str, Field(min_length=1)] | None = None
    ImportPath: _IMPORT_PATH
    Version: Annotated[str | None, AfterValidator(_check_version)] = None
    Order: int = 0


class _FunctionRule(_Rule):
    Kind: Literal["function"] = "function"
    Function: _FUNCTION
    ReceiverType: _RECEIVER = None
    OnEnter: _HOOK = None
    OnExit: _HOOK = None
    Path: _IMPORT_PATH

    @model_validator(mode="after")
    def _has_a_hook(self) -> _FunctionRule:
        if not self.OnEnter and not self.OnExit:
            raise ValueError("a rule needs OnEnter, OnExit or both")
        return self


class _RawRule(_Rule):
    Kind: Literal["raw"]
    Function: _FUNCTION
    ReceiverType: _RECEIVER = None
    Raw: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _one_line(self) -> _RawRule:
        if "//" in self.Raw:
            raise ValueError("Raw code is spliced into one line: use /* */ comments, not //")
        return self


class _StructRule(_Rule):
    Kind: Literal["struct"]
    StructType: Annotated[str, _check(IDENT, "a Go type name")]
    FieldName: Annotated[str, _check(IDENT, "a Go field name")]
    FieldType: Annotated[str, Field(min_length=1)]


class _FileRule(_Rule):
    Kind: Literal["file"]
    File: Annotated[str, Field(min_length=1)]


class _SpanRule(_Rule):
    Kind: Literal["span"]
    Function: _FUNCTION
    ReceiverType: _RECEIVER = None
    SpanName: str | None = None
    Attributes: dict[str, str] = Field(default_factory=dict)


# The same kinds, in the same order, as otelgo.rules.KINDS.
_MODELS = {"function": _FunctionRule, "raw": _RawRule, "struct": _StructRule, "file": _FileRule, "span": _SpanRule}


def validate(path: Path, items: list) -> list[dict | list[str]]:
    """Each item of a rule file's array, validated: the rule as a dict (all
    fields, defaults filled in, as otelgo.rules.rule_from_dict takes it), or
    the item's problems, one line each."""
    return [_validate_one(path, index, item) for index, item in enumerate(items)]


def _validate_one(path: Path, index: int, item: Any) -> dict | list[str]:
    kind = item.get("Kind", "function") if isinstance(item, dict) else "function"
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return [one_line(f"{path}: {_describe(index, item)}: Kind: {kind!r} is not one of {', '.join(_MODELS)}")]
    try:
        return model.model_validate(item).model_dump()
    except ValidationError as e:
        return [
            one_line(
                f"{path}: {_describe(index, item)}: {_field(err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            )
            for err in e.errors()
        ]


def _describe(index: int, raw: Any) -> str:
    return describe_item(index, raw.get("Name") if isinstance(raw, dict) else None)


def _field(loc: tuple) -> str:
    field = ".".join(str(part) for part in loc)
    return field or "(rule)"
