"""The `otel` command's entry point.

`otel go build|install|run|test ...`, what every build runs, is handled here
without click (which takes tens of milliseconds to import): the arguments go
to the go command as they are, as click hands them over. Everything else,
and any command line holding "--" (which click takes for itself), goes to
the click commands in otelgo/commands.py. Both run an instrumented go
command through otelgo/instrumented.py.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import NoReturn

from otelgo import instrumented


def main() -> None:
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "go" and args[1] in instrumented.SUBCOMMANDS and "--" not in args:
        if shutil.which("go") is None:
            instrumented.fail(instrumented.NO_GO, 127)
        _leave(instrumented.run(args[1], args[2:]))
    from otelgo.commands import main as commands

    commands()


def _leave(code: int) -> NoReturn:
    """Exit without the interpreter's teardown, 26 of the 344 million
    instructions of a no-change rebuild's Python process: the go command
    has exited, the build dir is removed, otelgo's threads are done, and
    what is left to write is flushed here."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what Python's own exit would report
            code = code or 120
    os._exit(code)
