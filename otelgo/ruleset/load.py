"""Reading rule files: the built-in ones under rules/ and the user's.

A rule file is a JSON array of rules, or an object whose header names the
library and gives defaults for its rules (see rules/schema.json). A file is
validated (validate.py, pydantic) only when its bytes are not in the
validated-rules cache (cache.py), so a warm build imports no pydantic.
Every problem is reported with the file, the rule (index and Name) and the
field, and all problems of all files are reported together.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from otelgo.resources import rules_dir
from otelgo.ruleset import cache
from otelgo.ruleset.model import FileRule, Library, Rule, rule_from_dict
from otelgo.ruleset.syntax import RuleError, describe_item, one_line

RULES_ENV = "OTELGO_RULES"
SCHEMA_NAME = "schema.json"

_SOURCES: dict = {}  # rule -> (file, index), for messages


def builtin_rule_files() -> list[Path]:
    """Every rule file under rules/: a library's folder may hold several
    (its own rules, and those of a nested hook module, say)."""
    root = rules_dir()
    return sorted(p for p in root.glob("*/**/*.json") if "testdata" not in p.relative_to(root).parts)


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


def load_file(path: Path) -> list[Rule]:
    """Read and validate one rule file; raise RuleError listing every problem."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RuleError([f"{path}: cannot read rule file: {e.strerror}"]) from None
    key = cache.key(data)
    entry = _cached(key)
    if entry is None:
        library, items = _validate(path, data)
        if all(isinstance(i, dict) for i in items):
            cache.put(key, {"library": library, "rules": items})
        header = _library(library)
        entry = [i if isinstance(i, list) else rule_from_dict(i, header) for i in items]
    rules, problems = [], []
    for index, rule in enumerate(entry):
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
    """The rules of a file validated before; an entry that does not make
    well-typed rules (a damaged cache file) is a miss."""
    entry = cache.get(key)
    if entry is None:
        return None
    try:
        library = _library(entry.get("library"))
        rules = [rule_from_dict(item, library) for item in entry["rules"]]
        typed = all(
            _FIELD_TYPES[f.type](getattr(r, f.name))
            for r in rules
            for f in dataclasses.fields(r)
            if f.name != "library"
        )
    except (KeyError, TypeError):
        return None
    return rules if typed else None


def _library(fields: dict | None) -> Library | None:
    """A file's header as validate.py dumps it; TypeError if it is not one."""
    if fields is None:
        return None
    name, metrics, texts = fields["name"], fields["metrics"], [fields[k] for k in ("log_bridge", "gives", "note")]
    if not isinstance(name, str) or not all(isinstance(m, str) for m in metrics):
        raise TypeError("not a rule file's header")
    otel = fields.get("opentelemetry")
    if not all(_str_or_none(text) for text in [*texts, otel]):
        raise TypeError("not a rule file's header")
    return Library(name, tuple(metrics), *texts, otel)


def _str_or_none(v) -> bool:
    return v is None or isinstance(v, str)


# The field types of the rule dataclasses, as checks of a value.
_FIELD_TYPES = {
    "str": lambda v: isinstance(v, str),
    "str | None": _str_or_none,
    "int": lambda v: type(v) is int,
    "dict[str, str]": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
}


def _validate(path: Path, data: bytes) -> tuple[dict | None, list[dict | list[str]]]:
    """The file's header and rules as dicts, or each invalid rule's
    problems; pydantic is imported here and nowhere else."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise RuleError([f"{path}: not UTF-8 text (byte {e.start})"]) from None
    except json.JSONDecodeError as e:
        raise RuleError([f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}"]) from None
    except (ValueError, RecursionError) as e:  # giant numbers, absurd nesting
        raise RuleError([f"{path}: not a usable JSON document: {one_line(str(e)) or type(e).__name__}"]) from None
    from otelgo.ruleset import validate

    return validate.validate(path, raw)


def rule_source(rule: Rule) -> Path | None:
    """The file a rule was loaded from."""
    return _SOURCES[rule][0] if rule in _SOURCES else None


def describe(rule: Rule) -> str:
    """How messages name a rule: its file, index and Name."""
    path, index = _SOURCES.get(rule, ("(rules)", "?"))
    return f"{path}: {describe_item(index, rule.Name)}"


def _resolve_file(rule: FileRule, path: Path, index: int, problems: list[str]) -> FileRule | None:
    """Not cached: the Go file beside the rule file may come and go. It
    must be in the rule file's directory or below it, symbolic links
    followed: a rule file names no file elsewhere on the machine for otelgo
    to compile into a package."""
    where = f"{path}: {describe_item(index, rule.Name)}"
    try:
        home = path.parent.resolve()
        file = (home / rule.File).resolve()
        usable = file.is_file() and file.suffix == ".go"
        inside = not Path(rule.File).is_absolute() and file.is_relative_to(home)
    except (OSError, ValueError):  # a name too long, a NUL byte
        usable = inside = False
    if usable and not inside:
        problems.append(
            one_line(f"{where}: File: {rule.File[:200]!r} is outside the rule file's directory ({home}): not used")
        )
        return None
    if not usable:
        problems.append(one_line(f"{where}: File: {rule.File[:200]!r} is not a Go file beside the rule file"))
        return None
    return dataclasses.replace(rule, File=str(file))


def install_validated() -> Path:
    """Validate the built-in rule files into the installation
    (ruleset/cache.installed_dir); install.sh runs this."""
    entries = {}
    for path in builtin_rule_files():
        data = path.read_bytes()
        library, items = _validate(path, data)
        if not all(isinstance(i, dict) for i in items):
            raise RuleError([p for i in items if isinstance(i, list) for p in i])
        entries[cache.key(data)] = {"library": library, "rules": items}
    return cache.install_entries(entries)


if __name__ == "__main__":
    print(install_validated())
