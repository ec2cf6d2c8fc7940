"""The project file: an optional otelgo.toml at the module's root (beside
go.mod, or go.work in a workspace) that holds what would otherwise be
otelgo flags, so that a Dockerfile or CI step is just `otel go build ./...`:

    rules = ["otel/rules.json"]     # rule files, relative to this file
    without = ["databasesql"]       # instrumentations left out of the build
    exporters = ["otlp"]            # the exporters the SDK bootstrap links
    allow-upgrades = false          # let otelgo raise modules the build needs

Flags win over the file: --without and --exporters replace its lists,
--allow-upgrades sets it; rule files add up (built-in, the file's,
OTELGO_RULES, --rules). `otel config` prints the result and where each value
came from.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from otelgo.gocmd.flags import GoCommandLine
from otelgo.gocmd.golist import GoEnv
from otelgo.ruleset.load import RULES_ENV, user_rule_files

FILE_NAME = "otelgo.toml"

# key -> (type, what it is)
KEYS = {
    "rules": (list, "rule files, relative to otelgo.toml"),
    "without": (list, "instrumentations left out of the build (as --without)"),
    "exporters": (list, "the exporters the SDK bootstrap links (as --exporters)"),
    "allow-upgrades": (bool, "let otelgo raise modules the build needs (as --allow-upgrades)"),
}


class ConfigError(Exception):
    pass


@dataclass
class Setting:
    value: object
    source: str  # "default", "otelgo.toml:3", "command line", ...


@dataclass
class Config:
    file: Path | None = None  # the otelgo.toml read, if any
    rule_files: list[tuple[Path, str]] = field(default_factory=list)  # (file, where it was named)
    without: Setting = field(default_factory=lambda: Setting([], "default"))
    exporters: Setting = field(default_factory=lambda: Setting([], "default"))
    allow_upgrades: Setting = field(default_factory=lambda: Setting(False, "default"))

    @property
    def rule_paths(self) -> list[Path]:
        return [path for path, _ in self.rule_files]


def project_file(env: GoEnv) -> Path | None:
    """otelgo.toml beside the main module's go.mod (or the workspace's go.work)."""
    for anchor in (env.gomod, env.gowork):
        if anchor and anchor != "/dev/null" and Path(anchor).name in ("go.mod", "go.work"):
            candidate = Path(anchor).parent / FILE_NAME
            if candidate.is_file():
                return candidate
    return None


def effective(cmd: GoCommandLine, env: GoEnv) -> Config:
    """The settings of one go command: otelgo.toml's, then the flags'."""
    config = Config(file=project_file(env))
    if config.file is not None:
        _read(config.file, config)
    env_rules = [(p, f"{RULES_ENV} (environment)") for p in user_rule_files(())]
    flag_rules = [(Path(p).resolve(), "command line") for p in cmd.rule_files]
    config.rule_files += env_rules + flag_rules
    if cmd.leave_out is not None:
        config.without = Setting(list(cmd.leave_out), "command line")
    if cmd.exporters is not None:
        config.exporters = Setting(list(cmd.exporters), "command line")
    if cmd.allow_upgrades is not None:
        config.allow_upgrades = Setting(cmd.allow_upgrades, "command line")
    return config


def _read(path: Path, config: Config) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    problems = []
    for key, value in data.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f"; the keys are {', '.join(KEYS)}"
            problems.append(f"{path}:{_line(text, key)}: unknown key {key}{hint}")
            continue
        kind, _ = KEYS[key]
        if kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(f'{path}:{_line(text, key)}: {key} must be a list of strings, like ["a", "b"]')
        elif kind is bool and not isinstance(value, bool):
            problems.append(f"{path}:{_line(text, key)}: {key} must be true or false")
    if problems:
        raise ConfigError("\n".join(problems))
    where = {key: f"{path.name}:{_line(text, key)}" for key in data}
    for name in data.get("rules", []):
        rule_file = (path.parent / name).resolve()
        if not rule_file.is_file():
            raise ConfigError(f"{path}:{_line(text, 'rules')}: rules: {name} is not a file (relative to {path.parent})")
        config.rule_files.append((rule_file, where["rules"]))
    if "without" in data:
        config.without = Setting(list(data["without"]), where["without"])
    if "exporters" in data:
        config.exporters = Setting(list(data["exporters"]), where["exporters"])
    if "allow-upgrades" in data:
        config.allow_upgrades = Setting(data["allow-upgrades"], where["allow-upgrades"])


def _line(text: str, key: str) -> int:
    """The line a top-level key is set on (1 if it cannot be found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def describe(config: Config, builtin_files: int) -> list[str]:
    """What `otel config` prints: each setting, its value, where it came from."""
    import json

    lines = [f"project file: {config.file or '(none: ' + FILE_NAME + ' beside go.mod)'}"]
    lines.append(f"rules: {builtin_files} built-in rule files")
    for path, where in config.rule_files:
        lines.append(f"rules: {path}  ({where})")
    for key, setting in (
        ("without", config.without),
        ("exporters", config.exporters),
        ("allow-upgrades", config.allow_upgrades),
    ):
        lines.append(f"{key} = {json.dumps(setting.value)}  ({setting.source})")
    return lines
