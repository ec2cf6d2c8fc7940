"""rich where it can show something, on a terminal; plain lines elsewhere.

A build's output in a log, a pipe or a CI job is plain text, and importing
rich to find that out and write it costs more than a tenth of the
no-change rebuild's time over `go build` (tens of milliseconds). So rich is
imported only where stderr may be a terminal; elsewhere the same lines are
written with otelgo's markup tags dropped.
"""

from __future__ import annotations

import os
import re
import sys

# The tags of otelgo's own lines, and nothing that reads like text.
_TAG = re.compile(r"\[(?:/|/?(?:bold|cyan|green|red|yellow))\]")


def may_be_terminal() -> bool:
    """False only where rich's Console(stderr=True).is_terminal is False too:
    stderr is not a terminal and no variable rich reads says otherwise."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def plain(markup: str) -> str:
    return _TAG.sub("", markup)


class _PlainConsole:
    def print(self, markup: str = "") -> None:
        print(plain(markup), file=sys.stderr)


class _RichConsole:
    """Colours for otelgo's tags only: rich's own markup would take the
    text's brackets for tags too and drop them ("map[string]int")."""

    def __init__(self) -> None:
        from rich.console import Console

        self._console = Console(stderr=True, highlight=False, soft_wrap=True)  # never fold a line

    def print(self, markup: str = "") -> None:
        self._console.print(styled(markup))


def styled(markup: str):
    """The line as rich Text: the tags' styles over the text between them."""
    from rich.text import Text

    text, styles, at = Text(), [], 0
    for tag in _TAG.finditer(markup):
        text.append(markup[at : tag.start()], style=styles[-1] if styles else None)
        name = tag.group()[1:-1]
        if not name.startswith("/"):
            styles.append(name)
        elif styles:
            styles.pop()
        at = tag.end()
    text.append(markup[at:], style=styles[-1] if styles else None)
    return text


def stderr_console() -> _PlainConsole | _RichConsole:
    """A console for otelgo's lines on stderr: rich's on a terminal, else
    one that writes them plain."""
    return _RichConsole() if may_be_terminal() else _PlainConsole()
