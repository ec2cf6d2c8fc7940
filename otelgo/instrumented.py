"""`otel go build|install|run|test` (and `otel diff`): the go command line
parsed and run instrumented (driver.py), with otelgo's errors turned into
the exit status and the "otel:" lines the user sees. Shared by the entry
point (cli.py), which reaches it without click, and the click commands
(commands.py)."""

from __future__ import annotations

import sys

SUBCOMMANDS = ("build", "install", "run", "test")
NO_GO = "no `go` command on PATH: install Go 1.24 or newer (https://go.dev/doc/install)"


def run(subcommand: str, rest: list[str], plan_only: bool = False) -> int:
    # Imported here: `otel --version` and pass-through commands stay quick.
    from otelgo import config, driver
    from otelgo.gocmd import flags, golist
    from otelgo.resources import CacheDirError
    from otelgo.ruleset.syntax import RuleError

    try:
        cmd = flags.parse(subcommand, rest)
        if plan_only:  # otel diff [PKG]: the module's packages, shown for PKG
            if len(cmd.packages) > 1:
                raise flags.UsageError("otel diff takes one package (an import path, a pattern with ..., or main)")
            cmd.show_injected = cmd.show_injected or (cmd.packages[0] if cmd.packages else "")
            cmd.packages = ["./..."]
        return driver.run(cmd, plan_only=plan_only)
    except config.ConfigError as e:
        fail(str(e), 2)
    except RuleError as e:
        for problem in e.problems:
            _err(f"otel: {problem}")
        _err("otel: no package was compiled; fix the rules above and build again")
        return 2
    except flags.UsageError as e:
        fail(str(e), 2)
    except CacheDirError as e:
        fail(str(e), 1)
    except golist.GoCommandError as e:
        _err(str(e))
        return e.returncode
    except Exception as e:
        # Planning's own errors: raised only where planning was imported,
        # which an unchanged rebuild (a remembered plan) does not do.
        if _raised(e, "otelgo.plan.plan", "UpgradeError"):
            fail(str(e), 2)
        if _raised(e, "otelgo.plan.modules", "ModuleError") or _raised(e, "otelgo.plan.plan", "PlanError"):
            fail(str(e), 1)
        raise
    return 1


def _raised(e: Exception, module: str, name: str) -> bool:
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(e, getattr(loaded, name))


def _err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def fail(message: str, code: int) -> None:
    for line in message.splitlines() or [""]:  # every line says whose it is
        _err(f"otel: {line}")
    sys.exit(code)
