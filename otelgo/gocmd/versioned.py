"""`otel go install pkg@version` and `otel go run pkg@version`.

The go command builds such a package in module-aware mode outside any main
module: the module that provides it, at that version, is the main module,
whatever the current directory holds. It refuses a module whose go.mod has
replace or exclude directives, and installs into GOBIN (else GOPATH/bin)
under the package's last path element.

otelgo cannot add its bootstrap file to that module in the module cache
(the go command refuses an overlay there), so:

1. The go command itself first checks the command line, with -n (it prints
   the commands and runs none): where go would fail (unknown version,
   replace directives, not a main package, flags...), otel fails the same
   way, with the go command's own words and exit status.
2. The commands go -n printed name the main package's files in the module
   cache, in the directory of the module that provides it: its path and
   version (else `go mod download -json` of the package path and its
   prefixes, the longest module path first).
3. A writable copy of that directory, in the build dir, is the main module
   of an ordinary otelgo build of the package (`./cmd/x`): go install puts
   the binary where go install pkg@version would, under the same name; go
   run's program runs in the user's directory (through -exec).

What differs from the go command: the copy's go.mod is the main module's
(as go install pkg@version reads it) but the build may complete its go.sum
(-mod=mod; go install pkg@version checks sums against the checksum database
instead), and the binary's build info shows the main module as (devel)
instead of its version.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from otelgo.gocmd.dryrun import dry_run
from otelgo.gocmd.flags import GoCommandLine, quoted_split
from otelgo.gocmd.golist import GoCommandError, run_go
from otelgo.gocmd.modcache import unescape
from otelgo.plan import modcopy


@dataclass
class Prepared:
    cmd: GoCommandLine  # the same command, on the copy: ./cmd/x instead of pkg@version
    main_dir: Path  # the copy of the module: the go command runs there
    notes: list[str] = field(default_factory=list)


def is_versioned(cmd: GoCommandLine) -> bool:
    """go install and go run with package@version arguments."""
    if cmd.subcommand not in ("install", "run"):
        return False
    return any("@" in p and not p.endswith(".go") for p in cmd.packages)


def prepare(cmd: GoCommandLine, cwd: Path, build_dir: Path) -> Prepared | int:
    """The command to run on a copy of the module; or, where the go command
    refuses the command line, its exit status (it has said why)."""
    check = dry_run(cmd, cwd)
    if check.returncode != 0:
        sys.stderr.write(check.stderr)
        return check.returncode
    for line in check.stderr.splitlines():
        if line.startswith("go: downloading "):
            print(line, file=sys.stderr)
    path, version = cmd.packages[0].split("@", 1)
    module = _module_in(check.stderr, cwd) or _module_of(path, version, build_dir)
    main_dir = modcopy.main_copy(Path(module["Dir"]), build_dir / "main" / Path(module["Dir"]).name)
    packages = []
    for p in cmd.packages:
        rest = p.split("@", 1)[0][len(module["Path"]) :].lstrip("/")
        packages.append(f"./{rest}" if rest else ".")
    flags = cmd.without("C", "exec")
    values = {k: v for k, v in cmd.values.items() if k != "C"}
    if "mod" not in values:
        flags, values = [*flags, "-mod=mod"], {**values, "mod": "mod"}
    if cmd.subcommand == "run":
        flags += ["-exec", str(_run_here(cmd, cwd, build_dir))]
    # The go command ignores any go.work for pkg@version; so does the copy's build.
    os.environ["GOWORK"] = "off"
    note = (
        f"{cmd.packages[0]}: built with a copy of {module['Path']}@{module['Version']} as the main module, "
        "as go does it; go version -m shows the main module as (devel) instead of its version"
    )
    return Prepared(replace(cmd, flags=flags, values=values, packages=packages), main_dir, [note])


def _module_in(commands: str, cwd: Path) -> dict | None:
    """The module of the main package, from the commands go -n printed (no
    lookup of the module's path on the network, which the go command has
    just done)."""
    try:
        gomodcache = json.loads(run_go(["env", "-json", "GOMODCACHE"], cwd))["GOMODCACHE"]
    except (GoCommandError, ValueError, KeyError):
        return None
    return module_from_commands(commands, gomodcache)


def module_from_commands(commands: str, gomodcache: str) -> dict | None:
    """The compile of package main names its files in the module cache,
    GOMODCACHE/<escaped module path>@<version>/...: the module's path,
    version and directory."""
    prefix = re.escape(gomodcache.rstrip("/") + "/")
    for line in commands.splitlines():
        if " -p main " not in line:
            continue
        found = re.search(prefix + r"((?:[^@\s'\"]+/)*?[^@/\s'\"]+)@([^/\s'\"]+)/", line)
        if found:
            escaped, version = found.groups()
            return {
                "Path": unescape(escaped),
                "Version": unescape(version),
                "Dir": str(Path(gomodcache) / f"{escaped}@{version}"),
            }
    return None


def _module_of(path: str, version: str, build_dir: Path) -> dict:
    """The module that provides package path at version (the longest module
    path that is path or a prefix of it), as go mod download -json gives it."""
    env = dict(os.environ, GOWORK="off", GO111MODULE="on", GOFLAGS="")
    where = build_dir / "download"
    where.mkdir(exist_ok=True)
    parts = path.split("/")
    errors = []
    for n in range(len(parts), 0, -1):
        prefix = "/".join(parts[:n])
        proc = subprocess.run(
            ["go", "mod", "download", "-json", f"{prefix}@{version}"],
            cwd=where,
            env=env,
            capture_output=True,
            text=True,
        )
        try:
            info = json.loads(proc.stdout)
        except ValueError:
            info = {}
        if proc.returncode == 0 and info.get("Dir"):
            rest = path[len(prefix) :].lstrip("/")
            if (Path(info["Dir"]) / rest).is_dir():
                return info
        errors.append(info.get("Error") or proc.stderr.strip())
    raise GoCommandError(f"go: no module provides {path}@{version}: {errors[-1] if errors else ''}")


def _run_here(cmd: GoCommandLine, cwd: Path, build_dir: Path) -> Path:
    """The -exec program of go run: the program runs in the user's
    directory (the go command runs in the copy), with the user's GOWORK,
    through the user's -exec if any."""
    user_exec = quoted_split(cmd.values["exec"]) if "exec" in cmd.values else []
    gowork = os.environ.get("GOWORK")
    restore = f"export GOWORK={shlex.quote(gowork)}" if gowork is not None else "unset GOWORK"
    script = build_dir / "run-here"
    script.write_text(
        "#!/bin/sh\n"
        f"cd {shlex.quote(str(cwd))} || exit 1\n"
        f"{restore}\n"
        f'exec {" ".join(shlex.quote(w) for w in user_exec)} "$@"\n'.replace("exec  ", "exec ")
    )
    script.chmod(0o755)
    return script
