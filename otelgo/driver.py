"""Run one instrumented go command: plan, then the go command with the shim
as -toolexec, then clean up and summarise.

The user's flags go to the go command untouched and in order; otelgo adds
-toolexec, -modfile (or GOWORK) and -overlay after them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from otelgo.config import Config, effective
from otelgo.gocmd import outside, versioned
from otelgo.gocmd.flags import GoCommandLine
from otelgo.gocmd.golist import GoCommandError, GoEnv, go_env
from otelgo.plan import memo
from otelgo.report.progress import progress
from otelgo.report.summary import print_explanation, print_summary, summary_data
from otelgo.resources import CACHE_ENV, cache_dir, settle_cache_dir
from otelgo.toolexec.nativeshim import command as toolexec_command
from otelgo.toolexec.protocol import PLAN_ENV
from otelgo.toolexec.service import serving

if TYPE_CHECKING:
    from otelgo.plan import plan as planning


def run(cmd: GoCommandLine, quiet: bool = False, plan_only: bool = False) -> int:
    """Plan, run the go command, summarise; with plan_only (otel diff), stop
    after planning and what --show-injected prints."""
    cwd = Path(os.getcwd())
    if "C" in cmd.values:
        cwd = (cwd / cmd.values["C"]).resolve()
    build_dir = Path(tempfile.mkdtemp(prefix="otelgo-build-"))
    try:
        notes: list[str] = []
        go_cwd = None
        if versioned.is_versioned(cmd):
            # pkg@version: the module, copied out of the module cache, is the
            # main module (versioned.py); go run's program still runs here.
            outcome = versioned.prepare(cmd, cwd, build_dir)
            if isinstance(outcome, int):
                return outcome  # the go command refused it: it said why
            cmd, go_cwd, notes = outcome.cmd, outcome.main_dir, outcome.notes
        return _run_planned(cmd, go_cwd or cwd, build_dir, quiet, plan_only, notes, go_cwd)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)


def _run_planned(
    cmd: GoCommandLine,
    cwd: Path,
    build_dir: Path,
    quiet: bool,
    plan_only: bool,
    notes: list[str],
    go_cwd: Path | None,
) -> int:
    env = go_env(cwd)
    cmd.refuse_toolexec_in(env.goflags)
    settle_cache_dir(env.gocache)
    if env.gomod == os.devnull and go_cwd is None:
        prepared = outside.prepare(cmd, cwd)
        if isinstance(prepared, int):
            return prepared  # the go command refused it: it said why
        cmd = prepared
    config = effective(cmd, env)
    # An unchanged rebuild takes the last plan of the same build (plan/memo.py).
    remembered = memo.key(cmd, env, config, cwd) if go_cwd is None else None
    summarised = not (quiet or cmd.quiet) and cmd.subcommand in ("build", "install")
    plan = memo.load(remembered, build_dir, whole=summarised) if remembered else None
    if plan is None:
        from otelgo.plan import plan as planning  # here: a remembered plan needs none of it
        from otelgo.ruleset.load import builtin_rule_files, load_all

        rules = load_all(builtin_rule_files() + config.rule_paths)
        try:
            plan = planning.make_plan(cmd, env, rules, build_dir, cwd, options(config))
        except GoCommandError as e:
            raise GoCommandError(_user_paths(str(e), build_dir, env), e.returncode) from None
        except planning.UpgradeError as e:
            if cmd.summary_json:
                print(json.dumps({"go": env.goversion, "error": str(e).splitlines()[0], **e.data}, indent=1))
            raise
        if remembered:
            memo.store(remembered, plan, build_dir, env, cmd.packages or ["."])
    if cmd.explain:
        print_explanation(plan)
    if cmd.show_injected is not None or cmd.injected_dir:
        shown = _show_injected(cmd, plan, cwd)
        if plan_only:
            return 0 if shown else 1
    plan.notes += notes
    shown = not (quiet or cmd.quiet or cmd.summary_json)
    with progress(build_dir / "progress", shown) as progress_env, serving(build_dir, plan.file_path) as splice_env:
        code = _run_go(cmd, plan, {**progress_env, **splice_env}, go_cwd)
    if code == 0 and "n" in cmd.values and not (quiet or cmd.quiet):
        # -n: the go command printed the commands and ran none of them.
        print("otel: -n: these are the commands of an instrumented build; nothing was built", file=sys.stderr)
    elif code == 0 and cmd.summary_json:
        print(json.dumps(summary_data(plan, env), indent=1))
    # After `go run` and `go test` the last words are the program's.
    elif code == 0 and not (quiet or cmd.quiet) and cmd.subcommand in ("build", "install"):
        print_summary(plan)
    return code


def toolexec_flags(cmd: GoCommandLine) -> tuple[str, dict[str, str]]:
    """`otel toolexec-flags`: plan the build once, into a directory kept in
    otelgo's cache (the same for the same command in the same place), and
    return the GOFLAGS value and the environment with which a plain go
    command builds instrumented: -toolexec names a script there that runs
    the shim with that plan (GOFLAGS cannot hold spaces), then otelgo's
    -modfile, -overlay and -gcflags. The script refuses to run once go.mod,
    go.sum or go.work is newer than the plan, so that a stale plan fails the
    build instead of building something else."""
    from otelgo.plan import plan as planning
    from otelgo.ruleset.load import builtin_rule_files, load_all

    named = [p for p in cmd.packages if p.endswith(".go")]
    if named:
        # The bootstrap is a file otelgo adds to the main package; a go
        # command that names its files builds those alone, and GOFLAGS
        # cannot name one more.
        raise planning.PlanError(
            f"otel toolexec-flags cannot instrument files named on the command line ({' '.join(named)}): "
            "the go command would build only those, without the file that sets up OpenTelemetry; "
            f"name their package instead (`.`), or build with `otel go build {' '.join(named)}`"
        )
    cwd = Path(os.getcwd())
    if "C" in cmd.values:
        cwd = (cwd / cmd.values["C"]).resolve()
    env = go_env(cwd)
    settle_cache_dir(env.gocache)
    config = effective(cmd, env)
    rules = load_all(builtin_rule_files() + config.rule_paths)
    key = json.dumps([str(cwd), cmd.subcommand, cmd.flags, cmd.packages, sys.executable, os.environ.get("GOFLAGS", "")])
    build_dir = cache_dir() / "bare" / hashlib.sha256(key.encode()).hexdigest()[:16]
    if any(c.isspace() for c in str(build_dir)):
        raise planning.PlanError(f"otelgo's cache directory {build_dir} has white space, which GOFLAGS cannot hold")
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    try:
        plan = planning.make_plan(cmd, env, rules, build_dir, cwd, options(config))
    except GoCommandError as e:
        raise GoCommandError(_user_paths(str(e), build_dir, env), e.returncode) from None
    script = build_dir / "toolexec"
    watched = [f for f in (env.gomod, str(Path(env.gomod).with_suffix(".sum")) if env.gomod else "", env.gowork) if f]
    script.write_text(
        "#!/bin/sh\n"
        f"# Written by `otel toolexec-flags` in {cwd}: the go command runs otelgo's shim through this.\n"
        'case " $* " in *" -V=full "*)\n'
        f"  for f in {' '.join(shlex.quote(f) for f in watched)}; do\n"
        f'    if [ -e "$f" ] && [ "$f" -nt {shlex.quote(str(plan.file_path))} ]; then\n'
        '      echo "otel: $f changed after \\`otel toolexec-flags\\` planned this build: run it again" >&2\n'
        "      exit 2\n"
        "    fi\n"
        "  done;;\n"
        "esac\n"
        f"{CACHE_ENV}={shlex.quote(str(cache_dir()))} "
        f'{PLAN_ENV}={shlex.quote(str(plan.file_path))} exec {toolexec_command()} "$@"\n'
    )
    script.chmod(0o755)
    flags = [f"-toolexec={script}", *plan.go_flags]
    spaced = [f for f in flags if any(c.isspace() for c in f)]
    if spaced:
        raise planning.PlanError(f"GOFLAGS cannot hold these flags, which have white space: {' '.join(spaced)}")
    return " ".join(flags), dict(plan.go_env)


def _show_injected(cmd: GoCommandLine, plan: planning.Plan, cwd: Path) -> bool:
    """--show-injected and --injected-dir: before the build, so that what a
    failing compile was given can be read too. False when nothing is shown."""
    from otelgo.report import injected

    only = cmd.show_injected or ""
    items = injected.collect(plan, only)
    if not items:
        keys = ", ".join(sorted(plan.match.applied)) or "none"
        print(f"otel: no instrumented package is named {only}; instrumented: {keys}", file=sys.stderr)
        return False
    if cmd.show_injected is not None:
        sys.stdout.write(injected.unified(items))
        sys.stdout.flush()
    if cmd.injected_dir:
        directory = (cwd / cmd.injected_dir).resolve()
        written = injected.write(items, directory)
        print(f"otel: wrote {len(written)} files under {directory}", file=sys.stderr)
    return True


def options(config: Config) -> planning.Options:
    from otelgo.plan.result import Options

    return Options(
        without=list(config.without.value),
        exporters=list(config.exporters.value),
        allow_upgrades=bool(config.allow_upgrades.value),
    )


def _user_paths(message: str, build_dir: Path, env: GoEnv) -> str:
    """The go command's words, about the user's go.mod rather than our copy."""
    if env.gomod:
        for copy in ("otel", "user"):  # the build's copy, and the one its build list is read from
            message = message.replace(str(build_dir / f"{copy}.mod"), env.gomod)
            message = message.replace(str(build_dir / f"{copy}.sum"), str(Path(env.gomod).with_suffix(".sum")))
    if env.gowork:
        message = message.replace(str(build_dir / "go.work"), env.gowork)
    return message


def _go_argv(cmd: GoCommandLine, plan: planning.Plan) -> list[str]:
    return [
        "go",
        cmd.subcommand,
        *cmd.without("modfile", "overlay", "toolexec"),
        "-toolexec",
        toolexec_command(),
        *plan.go_flags,
        *cmd.packages,
        *plan.extra_files,
        *cmd.rest,
    ]


def _run_go(cmd: GoCommandLine, plan: planning.Plan, extra_env: dict[str, str], cwd: Path | None = None) -> int:
    env = dict(os.environ)
    env.update(plan.go_env)
    env.update(extra_env)
    env[PLAN_ENV] = str(plan.file_path)
    proc = subprocess.Popen(_go_argv(cmd, plan), env=env, cwd=cwd)
    # A terminal's ^C reaches the go command too (same process group); wait
    # for it to stop so that the build dir is removed after it, never before.
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return _exit_code(proc.wait())
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_code(returncode: int) -> int:
    # A go command killed by a signal: exit the way a shell reports it.
    return 128 - returncode if returncode < 0 else returncode


__all__ = ["run", "toolexec_command", "toolexec_flags"]
