"""`go <subcommand> -n`: the go command loads the packages and prints the
commands of the build without running them. Where it refuses the command
line (a package no module provides, a file it cannot read, a flag it does
not know), otelgo refuses it the same way: go has said why, with go's exit
status."""

from __future__ import annotations

import subprocess
from pathlib import Path

from otelgo.gocmd.flags import GoCommandLine


def dry_run(cmd: GoCommandLine, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["go", cmd.subcommand, "-n", *cmd.without("C"), *cmd.packages], cwd=cwd, capture_output=True, text=True
    )
