"""A go command outside any module (GOMOD is os.devnull): go builds the
files it is named against the standard library alone and refuses anything
else. otelgo builds such a program in a workspace of its own hook modules
(plan/modules.py); first, go checks the command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from otelgo.gocmd.dryrun import dry_run
from otelgo.gocmd.flags import GoCommandLine


def prepare(cmd: GoCommandLine, cwd: Path) -> GoCommandLine | int:
    """The command to plan; or, where go refuses it, go's exit status (it has
    said why, and otel refuses it in the same words)."""
    check = dry_run(cmd, cwd)
    if check.returncode != 0:
        sys.stderr.write(check.stderr)
        return check.returncode
    # -mod changes nothing where there is no module to read, and the
    # workspace the build runs in refuses -mod=mod and -mod=vendor.
    if goflags := os.environ.get("GOFLAGS"):
        os.environ["GOFLAGS"] = GoCommandLine.goflags_without(goflags, "mod")
    return cmd.dropping("mod")
