"""What planning makes of a build (Options in, Plan out), apart from the
planning itself (plan.py), so that a remembered plan (memo.py) is read back
without importing everything planning needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from otelgo.gocmd.golist import Package
from otelgo.plan.match import Match
from otelgo.ruleset.model import Rule

if TYPE_CHECKING:  # ignore.py brings the splicer's parser, which a remembered plan never needs
    from otelgo.plan.ignore import Ignored


@dataclass
class Options:
    """otelgo's settings of one build (otelgo.toml, then the flags)."""

    without: list[str] = field(default_factory=list)  # instrumentations left out (plan/without.py)
    exporters: list[str] = field(default_factory=list)  # the exporters to link (plan/exporters.py)
    allow_upgrades: bool = False


@dataclass
class Plan:
    build_dir: Path
    go_flags: list[str]  # added after the user's flags
    go_env: dict[str, str]  # added to the go command's environment
    packages: list[Package]
    match: Match
    commands: dict[str, list[str]] = field(default_factory=dict)  # package main -> hook packages
    extra_files: list[str] = field(default_factory=list)  # appended to a go-files build
    warnings: list[str] = field(default_factory=list)  # rules that found no function
    rules: list[Rule] = field(default_factory=list)  # every rule loaded
    linked: set[str] = field(default_factory=set)  # packages in the programs built
    own: set[str] = field(default_factory=set)  # ... of which the programs import without otelgo
    digests: dict[str, str] = field(default_factory=dict)  # matched key -> digest of its rules
    token: str = ""
    # matched package whose sources cannot change while the plan stands
    # (GOROOT, the module cache) -> refusals.file_digests of them
    fixed_sources: dict[str, list[bytes]] = field(default_factory=dict)
    file_path: Path | None = None
    options: Options = field(default_factory=Options)
    without: list[Rule] = field(default_factory=list)  # rules that --without left out
    ignored: dict[str, Ignored] = field(default_factory=dict)  # matched key -> what //otel:ignore leaves out
    left_out: list[tuple[Rule, str]] = field(default_factory=list)  # rules on ignored code, and where the comment is
    release_set: str = ""  # the OpenTelemetry core of the release set chosen ("" when none was)
    core: str = ""  # the OpenTelemetry core the build links: newer than the set's when the user's modules are
    fitted: list[str] = field(default_factory=list)  # its modules built against the user's versions (module@version)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)  # module -> (user's version, this build's)
    base_hooks: list[str] = field(default_factory=list)  # hook packages every program imports
    release_left_out: list[str] = field(default_factory=list)  # what the chosen release set leaves out, and why
    exporters: tuple[str, ...] = ()  # the exporters linked (plan/exporters.py)
    notes: list[str] = field(default_factory=list)  # how this build differs from the go command's, for the summary
