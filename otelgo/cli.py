"""The `otel` command's entry point.

`otel go build|install|run|test ...`, what every build runs, is handled here
without click (which takes tens of milliseconds to import): the arguments go
to the go command as they are, as click hands them over. Everything else,
and any command line holding "--" (which click takes for itself), goes to
the click commands in otelgo/commands.py. Both run an instrumented go
command through otelgo/instrumented.py.
"""

from __future__ import annotations

import shutil
import sys

from otelgo import instrumented


def main() -> None:
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "go" and args[1] in instrumented.SUBCOMMANDS and "--" not in args:
        if shutil.which("go") is None:
            instrumented.fail(instrumented.NO_GO, 127)
        sys.exit(instrumented.run(args[1], args[2:]))
    from otelgo.commands import main as commands

    commands()
