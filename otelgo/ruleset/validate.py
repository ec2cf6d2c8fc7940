"""Validation of rule files: pydantic models at the edge.

Imported only when a rule file's bytes are not in the validated-rules
cache (cache.py): pydantic and the models take over 100 ms to import, and
a warm build's plan phase needs neither. Everything inside otelgo works
with the plain dataclasses of model.py, built from what these models dump.

The same models give the JSON schema shipped as rules/schema.json, so an
editor checks a rule file as `otel rules check` and the build do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from otelgo.ruleset.syntax import (
    FUNCTION_NAME,
    HOOK_NAME,
    IDENT,
    IMPORT_PATH,
    RECEIVER_TYPE,
    RuleError,
    describe_item,
    name_problem,
    one_line,
)
from otelgo.versions import VersionError, VersionRange

SCHEMA_ID = "https://otelgo.dev/schema/rules.json"


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


def _required_hook_package(text: str | None) -> str | None:
    if text is None:
        raise ValueError("a function rule needs Path, the import path of its hook package (or a Path in the header)")
    return text


_IMPORT_PATH = Annotated[str, _check(*IMPORT_PATH)]
_FUNCTION = Annotated[str, _check(*FUNCTION_NAME)]
_RECEIVER = Annotated[str | None, _check(*RECEIVER_TYPE)]
_HOOK = Annotated[str | None, _check(*HOOK_NAME)]
_VERSION = Annotated[
    str | None,
    AfterValidator(_check_version),
    Field(description='A version range of the library (or Go, for the standard library): "[1.7.0,2.0.0)"'),
]
_INSTRUMENT = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_./-]{0,254}$")]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    Name: Annotated[str, Field(min_length=1)] | None = None
    ImportPath: Annotated[_IMPORT_PATH, Field(description='The package the rule edits; "main" for every program')]
    Version: _VERSION = None
    Order: Annotated[int, Field(description="Hooks of several rules on one function run in Order")] = 0


class _FunctionRule(_Rule):
    Kind: Literal["function"] = "function"
    Function: _FUNCTION
    ReceiverType: _RECEIVER = None
    OnEnter: _HOOK = None
    OnExit: _HOOK = None
    Path: Annotated[
        _IMPORT_PATH | None,
        AfterValidator(_required_hook_package),
        Field(validate_default=True, description="The hook package"),
    ] = None

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


# The same kinds, in the same order, as model.KINDS.
_MODELS = {"function": _FunctionRule, "raw": _RawRule, "struct": _StructRule, "file": _FileRule, "span": _SpanRule}
_AnyRule = _FunctionRule | _RawRule | _StructRule | _FileRule | _SpanRule


class _Header(BaseModel):
    """A rule file as an object: the library's facts, defaults for its rules, the rules."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str | None = Field(default=None, alias="$schema")
    Library: Annotated[str, Field(min_length=1, description="The library's name, as the build summary shows it")]
    Gives: Annotated[str | None, Field(description="What the rules give, in a few words")] = None
    Note: Annotated[str | None, Field(description="A line the build summary prints when the rules apply")] = None
    Path: Annotated[_IMPORT_PATH | None, Field(description="The hook package of rules that name none")] = None
    Version: _VERSION = None
    Metrics: Annotated[list[_INSTRUMENT], Field(description="The metric instruments the hooks record")] = []
    LogBridge: Annotated[
        str | None, Field(description="The contrib bridge through which the hooks export log records")
    ] = None
    OpenTelemetry: Annotated[
        _VERSION,
        Field(
            description="The OpenTelemetry cores (go.opentelemetry.io/otel) the hooks build with; "
            "otelgo leaves the rules out of a build whose OpenTelemetry is outside it. Default: every one"
        ),
    ] = None
    Rules: list[Any]


class _LibraryFile(_Header):
    Rules: list[_AnyRule]


def json_schema() -> dict:
    """The JSON schema of a rule file (rules/schema.json)."""
    schema = TypeAdapter(list[_AnyRule] | _LibraryFile).json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "otelgo rules",
        **schema,
    }


def validate(path: Path, raw: Any) -> tuple[dict | None, list[dict | list[str]]]:
    """A rule file's JSON, validated: its header (as model.Library's fields,
    or None for a plain array) and each rule as a dict (all fields, defaults
    filled in, as model.rule_from_dict takes it) or that rule's problems,
    one line each. A problem with the file as a whole raises RuleError."""
    if isinstance(raw, list):
        return None, [_validate_one(path, index, item, {}) for index, item in enumerate(raw)]
    if not isinstance(raw, dict) or "Rules" not in raw and "Library" not in raw:
        what = "one rule: put it in [ ]" if isinstance(raw, dict) else _json_type(raw)
        raise RuleError([f"{path}: a rule file holds a JSON array of rules or an object with Rules, not {what}"])
    try:
        header = _Header.model_validate(raw)
    except ValidationError as e:
        raise RuleError([one_line(f"{path}: header: {_problem(err)}") for err in e.errors()]) from None
    defaults = {"Path": header.Path, "Version": header.Version}
    library = {
        "name": header.Library,
        "metrics": list(header.Metrics),
        "log_bridge": header.LogBridge,
        "gives": header.Gives,
        "note": header.Note,
        "opentelemetry": header.OpenTelemetry,
    }
    return library, [_validate_one(path, index, item, defaults) for index, item in enumerate(header.Rules)]


def _validate_one(path: Path, index: int, item: Any, defaults: dict) -> dict | list[str]:
    kind = item.get("Kind", "function") if isinstance(item, dict) else "function"
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return [one_line(f"{path}: {_describe(index, item)}: Kind: {kind!r} is not one of {', '.join(_MODELS)}")]
    if isinstance(item, dict):
        fields = model.model_fields
        item = {**{k: v for k, v in defaults.items() if v is not None and k in fields}, **item}
    try:
        return model.model_validate(item).model_dump()
    except ValidationError as e:
        return [one_line(f"{path}: {_describe(index, item)}: {_problem(err)}") for err in e.errors()]


def _problem(err: dict) -> str:
    field = ".".join(str(part) for part in err["loc"]) or "(rule)"
    return f"{field}: {err['msg'].removeprefix('Value error, ')}"


def _describe(index: int, raw: Any) -> str:
    return describe_item(index, raw.get("Name") if isinstance(raw, dict) else None)


def _json_type(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )
