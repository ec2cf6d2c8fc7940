"""Make the hook module available to the build without touching the user's files.

In module mode the go command is pointed at a copy of the user's go.mod in
the build dir (-modfile=.../otel.mod, with otel.sum beside it) that also
requires and replaces the hook module. In workspace mode, where -modfile is
refused, a go.work in the build dir (passed as GOWORK) uses the user's
modules and the hook module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from otelgo.golist import GoEnv, run_go
from otelgo.resources import rules_dir

HOOK_MODULE = "otelgo.dev/rules"


@dataclass
class ModuleSetup:
    flags: list[str] = field(default_factory=list)  # go flags for every go command of the build
    env: dict[str, str] = field(default_factory=dict)


class ModuleError(Exception):
    pass


def prepare(env: GoEnv, build_dir: Path, user_modfile: str | None, cwd: Path) -> ModuleSetup:
    hooks = rules_dir()
    if env.gowork and env.gowork != "off":
        return _workspace(env, build_dir, hooks, cwd)
    if not env.gomod or env.gomod == "/dev/null" or env.gomod == "NUL":
        raise ModuleError(
            "otel go build needs a Go module: run it in a directory with a go.mod "
            "(create one with `go mod init example.com/app`)"
        )
    gomod = Path(user_modfile).resolve() if user_modfile else Path(env.gomod)
    return _module(gomod, build_dir, hooks)


def _module(gomod: Path, build_dir: Path, hooks: Path) -> ModuleSetup:
    text = gomod.read_text()
    modfile = build_dir / "otel.mod"
    modfile.write_text(
        text.rstrip("\n")
        + "\n\n// Added by otelgo for this build only; the user's go.mod is not changed.\n"
        + f"require {HOOK_MODULE} v0.0.0\n\nreplace {HOOK_MODULE} => {_quote(hooks)}\n"
    )
    _merge_sums(build_dir / "otel.sum", [gomod.with_suffix(".sum"), hooks / "go.sum"])
    return ModuleSetup(flags=[f"-modfile={modfile}"])


def _workspace(env: GoEnv, build_dir: Path, hooks: Path, cwd: Path) -> ModuleSetup:
    user_work = Path(env.gowork)
    work = json.loads(run_go(["work", "edit", "-json", str(user_work)], cwd))
    base = user_work.parent
    lines = [f"go {work['Go']}"] if work.get("Go") else []
    if work.get("Toolchain"):
        lines.append(f"toolchain {work['Toolchain']}")
    uses = [str((base / u["DiskPath"]).resolve()) for u in work.get("Use") or []]
    lines += [f"use {_quote(Path(u))}" for u in uses] + [f"use {_quote(hooks)}"]
    for r in work.get("Replace") or []:
        old = r["Old"]["Path"] + (" " + r["Old"]["Version"] if r["Old"].get("Version") else "")
        new = r["New"]["Path"]
        new = new + " " + r["New"]["Version"] if r["New"].get("Version") else _quote((base / new).resolve())
        lines.append(f"replace {old} => {new}")
    workfile = build_dir / "go.work"
    workfile.write_text("\n".join(lines) + "\n")
    _merge_sums(build_dir / "go.work.sum", [base / "go.work.sum", hooks / "go.sum"])
    return ModuleSetup(env={"GOWORK": str(workfile)})


def _merge_sums(target: Path, sources: list[Path]) -> None:
    seen: dict[str, None] = {}
    for src in sources:
        if src.is_file():
            for line in src.read_text().splitlines():
                if line.strip():
                    seen.setdefault(line.strip(), None)
    target.write_text("".join(line + "\n" for line in seen))


def _quote(path: Path) -> str:
    return json.dumps(str(path))
