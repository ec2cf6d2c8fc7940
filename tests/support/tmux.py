"""A command run in a real terminal: a tmux pane of a fixed size, read back
with `tmux capture-pane` (plain, or with -e for colours as SGR escapes).

    with Tmux(["otel", "view"], env, width=80) as term:
        screen = term.wait_for("trace ")

Each Tmux has a tmux server of its own (-L), without any user config, so
tests neither see nor disturb anyone's sessions. The pane stays open after
the command exits and shows "[exit N]", so a test can read the final screen
and the exit status.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_counter = itertools.count()
EXIT_LINE = re.compile(r"^\[exit (\d+)\]$", re.MULTILINE)
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
RED = {"31", "91", "38;5;1", "38;5;9"}


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


class Tmux:
    def __init__(self, command: Sequence[str], env: Mapping[str, str], *, width: int = 80, height: int = 50):
        self.command = list(command)
        self.env = dict(env)
        self.width, self.height = width, height
        self.socket = f"otelgo-test-{os.getpid()}-{next(_counter)}"
        self._socket_path = ""

    def __enter__(self) -> Tmux:
        # The shell around the command keeps the pane (and its last screen)
        # after the command exits, with the exit status on the last line.
        shell = f'{shlex.join(self.command)}; echo "[exit $?]"; exec sleep 3600'
        self._tmux("new-session", "-d", "-s", "t", "-x", str(self.width), "-y", str(self.height), shell)
        self._socket_path = self._tmux("display-message", "-p", "#{socket_path}").stdout.strip()
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30, check=False)
        # tmux leaves its socket file behind when its server is killed.
        if self._socket_path:
            Path(self._socket_path).unlink(missing_ok=True)

    def capture(self, escapes: bool = False) -> str:
        """The visible screen; with escapes, colours and attributes as SGR sequences."""
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "t").stdout

    def wait_for(self, want: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        """The screen once it contains `want` (or `want(screen)` is true);
        AssertionError with the screen when that does not happen in time."""
        check = want if callable(want) else lambda screen: want in screen
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"the terminal never showed {want!r}; screen:\n{screen}")
            time.sleep(0.1)

    def wait_exit(self, timeout: float = 30.0) -> tuple[int, str]:
        """(exit status, screen) once the command has exited."""
        screen = self.wait_for(lambda s: EXIT_LINE.search(s) is not None, timeout)
        return int(EXIT_LINE.search(screen).group(1)), screen

    def _tmux(self, *args: str) -> subprocess.CompletedProcess:
        # -u: the pane is UTF-8 whatever the locale of whoever runs the tests.
        return subprocess.run(
            ["tmux", "-u", "-f", "/dev/null", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )


def foreground_colors(captured: str) -> list[list[tuple[str, str | None]]]:
    """`capture(escapes=True)` as lines of (character, foreground colour),
    the colour as its SGR parameters ("31", "38;5;9") or None for the
    default. tmux writes only changes, carried across lines, so the state
    is followed through the whole screen."""
    fg: str | None = None
    lines: list[list[tuple[str, str | None]]] = []
    for text_line in captured.split("\n"):
        cells: list[tuple[str, str | None]] = []
        pos = 0
        for m in _SGR.finditer(text_line):
            cells += [(ch, fg) for ch in text_line[pos : m.start()]]
            fg = _next_foreground(fg, m.group(1))
            pos = m.end()
        cells += [(ch, fg) for ch in text_line[pos:]]
        lines.append(cells)
    return lines


def _next_foreground(fg: str | None, params: str) -> str | None:
    codes = params.replace(":", ";").split(";") if params else ["0"]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c in ("", "0", "39"):
            fg = None
        elif c in ("38",) and i + 2 < len(codes) and codes[i + 1] == "5":
            fg, i = f"38;5;{codes[i + 2]}", i + 2
        elif c in ("38",) and i + 4 < len(codes) and codes[i + 1] == "2":
            fg, i = "38;2;" + ";".join(codes[i + 2 : i + 5]), i + 4
        elif c.isdigit() and (30 <= int(c) <= 37 or 90 <= int(c) <= 97):
            fg = c
        i += 1
    return fg


def colors_of(lines: list[list[tuple[str, str | None]]], text: str) -> set[str | None]:
    """The foreground colours of `text` where it first appears on a line."""
    for cells in lines:
        plain = "".join(ch for ch, _ in cells)
        at = plain.find(text)
        if at >= 0:
            return {fg for ch, fg in cells[at : at + len(text)] if not ch.isspace()}
    raise AssertionError(f"{text!r} is not on the screen")
