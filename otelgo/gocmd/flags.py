"""The go command line a user typed, split into what otelgo must know.

Flags are passed on to the go command untouched; otelgo only reads the few
that decide what gets built (tags, race, module mode...) so that planning
sees the same packages as the build, and takes over -modfile and -overlay,
which it merges with its own.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from otelgo.gocmd.golist import Package

# Build flags that take a value in the next argument when not written -flag=value.
_VALUE_FLAGS = {
    "C",
    "o",
    "p",
    "asmflags",
    "buildmode",
    "compiler",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "mod",
    "modfile",
    "overlay",
    "pgo",
    "pkgdir",
    "tags",
    "toolexec",
    "covermode",
    "coverpkg",
    "exec",
    "debug-actiongraph",
    "debug-runtime-trace",
    "debug-trace",
    "run",
    "bench",
    "benchtime",
    "count",
    "coverprofile",
    "cpu",
    "parallel",
    "timeout",
    "skip",
    "fuzz",
    "fuzztime",
    "fuzzminimizetime",
    "outputdir",
    "shuffle",
    "blockprofile",
    "cpuprofile",
    "memprofile",
    "mutexprofile",
    "trace",
    "list",
    "vet",
    "failfast-n",
}

# Flags that change which packages or files a build contains; `go list` must see them.
_PLAN_FLAGS = {"tags", "mod", "race", "msan", "asan", "buildmode", "pgo", "cover", "covermode", "coverpkg"}
# Flags that change only what the go command prints, not what it builds.
PRINT_ONLY = frozenset({"x", "v", "json", "debug-trace", "debug-actiongraph", "debug-runtime-trace"})

# otelgo's own flags, written with two dashes (-q excepted).
OTELGO_FLAGS = {"rules", "without", "exporters", "injected-dir"}  # take a value
OTELGO_SWITCHES = {"explain", "json", "q", "quiet", "allow-upgrades"}  # --explain, --json, -q, ...
OTELGO_OPTIONAL = {"show-injected"}  # --show-injected or --show-injected=PKG


_OWN_TOOLEXEC = "otelgo runs the build through a toolexec of its own"


class UsageError(Exception):
    pass


@dataclass
class GoCommandLine:
    subcommand: str
    flags: list[str] = field(default_factory=list)  # go flags, in order, as typed
    packages: list[str] = field(default_factory=list)  # package patterns or .go files
    rest: list[str] = field(default_factory=list)  # after the packages (go run's program args)
    values: dict[str, str] = field(default_factory=dict)  # flag name -> last value
    rule_files: list[str] = field(default_factory=list)
    explain: bool = False
    summary_json: bool = False
    quiet: bool = False
    # Settings a project file (otelgo.toml) may hold too; None: not on the command line.
    leave_out: list[str] | None = None  # --without: instrumentations left out of the build
    exporters: list[str] | None = None  # the exporters the SDK bootstrap links
    allow_upgrades: bool | None = None
    show_injected: str | None = None  # "" for every instrumented package, or one (PKG, main)
    injected_dir: str | None = None  # write the spliced files here

    def plan_flags(self) -> list[str]:
        """The subset of the user's flags that `go list` needs to plan the same build."""
        out = []
        for name, value in self.values.items():
            if name in _PLAN_FLAGS:
                out.append(f"-{name}={value}")
        return out

    def built_alike(self) -> GoCommandLine:
        """This command line less the flags that change only what the go
        command prints: it builds the same."""
        values = {k: v for k, v in self.values.items() if k not in PRINT_ONLY}
        return replace(self, flags=self.without(*PRINT_ONLY), values=values)

    def all_values(self, name: str) -> list[str]:
        """Every value the user gave a flag, in order (-gcflags may be repeated)."""
        values, i = [], 0
        while i < len(self.flags):
            flag, has_value = _flag_name(self.flags[i])
            if flag == name and has_value:
                values.append(self.flags[i].split("=", 1)[1])
            elif flag == name and name in _VALUE_FLAGS and i + 1 < len(self.flags):
                values.append(self.flags[i + 1])
                i += 1
            i += 1
        return values

    @staticmethod
    def goflags_values(goflags: str, name: str) -> list[str]:
        """The values GOFLAGS gives a flag; the go command applies them
        before the command line's."""
        try:
            words = quoted_split(goflags)
        except ValueError:
            return []  # the go command will say what is wrong with GOFLAGS
        return [w.split("=", 1)[1] for w in words if "=" in w and _flag_name(w)[0] == name]

    @staticmethod
    def goflags_without(goflags: str, name: str) -> str:
        """GOFLAGS without the settings of a flag, quoted as the go command reads it."""
        try:
            words = quoted_split(goflags)
        except ValueError:
            return goflags  # the go command will say what is wrong with GOFLAGS
        return quoted_join([w for w in words if _flag_name(w)[0] != name])

    def refuse_toolexec_in(self, goflags: str) -> None:
        """A -toolexec in GOFLAGS, which otelgo's on the command line would
        silently replace: refused, as on the command line."""
        if self.goflags_values(goflags, "toolexec"):
            raise UsageError(
                f"GOFLAGS sets -toolexec, which cannot be combined with otel go {self.subcommand}: {_OWN_TOOLEXEC}; "
                "build without it in GOFLAGS (`go env GOFLAGS` shows where it is set)"
            )

    def dropping(self, name: str) -> GoCommandLine:
        """The same command line without a flag of the user's."""
        return replace(self, flags=self.without(name), values={k: v for k, v in self.values.items() if k != name})

    def tags_with(self, goflags: str, added: tuple[str, ...]) -> str:
        """A -tags flag with the user's tags (the command line's, else
        GOFLAGS'), which it replaces when placed after them, and added."""
        given = self.values.get("tags")
        if given is None:
            given = next(reversed(self.goflags_values(goflags, "tags")), "")
        # The go command splits on commas, or on spaces where there is none.
        tags = [t for t in (given.split(",") if "," in given else given.split()) if t]
        return "-tags=" + ",".join(dict.fromkeys([*tags, *added]))

    def without(self, *names: str) -> list[str]:
        """The user's flags minus the named ones (which otelgo replaces)."""
        out, skip_next = [], False
        for arg in self.flags:
            if skip_next:
                skip_next = False
                continue
            name, has_value = _flag_name(arg)
            if name in names:
                skip_next = not has_value and name in _VALUE_FLAGS
                continue
            out.append(arg)
        return out


def _flag_name(arg: str) -> tuple[str, bool]:
    name = arg.lstrip("-")
    if "=" in name:
        return name.split("=", 1)[0], True
    return name, False


def parse(subcommand: str, args: list[str]) -> GoCommandLine:
    """Split `go SUBCOMMAND ARGS` the way the go command's flag parsing does."""
    cmd = GoCommandLine(subcommand)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        name, has_value = _flag_name(arg)
        if name in OTELGO_SWITCHES and (arg.startswith("--") or name == "q") and not has_value:
            # -json (one dash) stays the go command's own flag.
            cmd.explain |= name == "explain"
            cmd.summary_json |= name == "json"
            cmd.quiet |= name in ("q", "quiet")
            if name == "allow-upgrades":
                cmd.allow_upgrades = True
            i += 1
            continue
        if name in OTELGO_OPTIONAL and arg.startswith("--"):
            cmd.show_injected = arg.split("=", 1)[1] if has_value else ""
            i += 1
            continue
        if name in OTELGO_FLAGS and arg.startswith("--"):
            value, i = _value(args, i, name, has_value)
            if name == "rules":
                cmd.rule_files.append(value)
            elif name == "injected-dir":
                cmd.injected_dir = value
            else:  # a list, separated by commas; the flag may be repeated
                attr = "leave_out" if name == "without" else name
                items = [v.strip() for v in value.split(",") if v.strip()]
                setattr(cmd, attr, [*(getattr(cmd, attr) or []), *items])
            continue
        if name == "toolexec":
            raise UsageError(f"-toolexec cannot be combined with otel go {subcommand}: {_OWN_TOOLEXEC}")
        if name in _VALUE_FLAGS:
            value, next_i = _value(args, i, name, has_value)
            cmd.flags.extend(args[i:next_i])
            cmd.values[name] = value
            i = next_i
            continue
        cmd.flags.append(arg)
        cmd.values[name] = arg.split("=", 1)[1] if has_value else "true"
        i += 1
    # go build treats every remaining argument as a package; go run stops at
    # the first argument after the .go files or the package.
    rest = args[i:]
    if subcommand == "run" and rest:
        gofiles = [a for a in rest if a.endswith(".go")]
        n = len(gofiles) if gofiles and rest[: len(gofiles)] == gofiles else 1
        cmd.packages, cmd.rest = rest[:n], rest[n:]
    else:
        cmd.packages = rest
    return cmd


def _value(args: list[str], i: int, name: str, has_value: bool) -> tuple[str, int]:
    if has_value:
        return args[i].split("=", 1)[1], i + 1
    if i + 1 >= len(args):
        raise UsageError(f"flag -{name} needs a value")
    return args[i + 1], i + 2


# --- per-package flags (-gcflags, -asmflags, ...) -------------------------------


def flags_for(values: list[str], pkg: Package, cwd: Path) -> list[str]:
    """The flags that a per-package flag given these values (GOFLAGS' first,
    then the command line's) passes for pkg: the last value whose pattern
    matches it; a value without a pattern matches the packages named on the
    command line."""
    flags: list[str] = []
    for value in values:
        value = value.strip()
        pattern, flag_text = None, value
        if value and not value.startswith("-") and "=" in value:
            pattern, flag_text = (part.strip() for part in value.split("=", 1))
        matches = not pkg.dep_only if pattern is None else _match_package(pattern, pkg, cwd)
        if matches:
            try:
                flags = quoted_split(flag_text)
            except ValueError:
                continue  # the go command will say what is wrong
    return flags


def _match_package(pattern: str, pkg: Package, cwd: Path) -> bool:
    if pattern == "all":
        return True
    if pattern == "std":
        return pkg.standard
    if pattern == "cmd":
        return pkg.standard and pkg.import_path.startswith("cmd/")
    if pattern in (".", "..") or pattern.startswith(("./", "../")):
        if pkg.dir is None:
            return False
        i = pattern.find("...")
        if i < 0:
            directory, rest = pattern, ""
        else:
            j = pattern.rfind("/", 0, i)
            directory, rest = pattern[:j], pattern[j + 1 :]
        base = Path(os.path.normpath(cwd / directory))
        if not rest:
            return pkg.dir == base
        try:
            rel = pkg.dir.relative_to(base).as_posix()
        except ValueError:
            return False
        return _match_path(rest, rel)
    return _match_path(pattern, pkg.import_path)


def _match_path(pattern: str, name: str) -> bool:
    """The go command's package pattern match: ... matches any string, and a
    trailing /... also matches nothing (net/... matches net)."""
    regex = re.escape(pattern)
    if regex.endswith(r"/\.\.\."):
        regex = regex[: -len(r"/\.\.\.")] + r"(/\.\.\.)?"
    regex = regex.replace(r"\.\.\.", ".*")
    return re.fullmatch(regex, name) is not None


def quoted_split(text: str) -> list[str]:
    """Split as the go command splits flag lists: on white space, with
    single or double quotes around a field that holds some."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] in "'\"":
            end = text.find(text[i], i + 1)
            if end < 0:
                raise ValueError(f"unterminated {text[i]} string")
            out.append(text[i + 1 : end])
            i = end + 1
            continue
        end = i
        while end < len(text) and not text[end].isspace():
            end += 1
        out.append(text[i:end])
        i = end
    return out


def quoted_join(args: list[str]) -> str:
    """The inverse of quoted_split: quotes only where needed."""
    out = []
    for arg in args:
        if arg and not any(c.isspace() or c in "'\"" for c in arg):
            out.append(arg)
        elif "'" not in arg:
            out.append(f"'{arg}'")
        else:
            out.append(f'"{arg}"')
    return " ".join(out)
