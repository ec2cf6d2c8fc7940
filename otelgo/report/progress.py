"""A one-line progress display while the go command builds, for terminals.

The shim appends a line per compile to a file in the build dir; this polls
it. Logs and pipes get no progress: only the summary at the end.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from otelgo.report.terminal import may_be_terminal


@contextmanager
def progress(path: Path, enabled: bool):
    if not (enabled and may_be_terminal()):
        yield {}
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield {}
        return
    done = threading.Event()
    with console.status("otel: planning done, building…") as status:
        thread = threading.Thread(target=_poll, args=(path, status, done), daemon=True)
        thread.start()
        try:
            yield {"OTELGO_PROGRESS": str(path)}
        finally:
            done.set()
            thread.join()


def _poll(path: Path, status, done: threading.Event) -> None:
    while not done.wait(0.2):
        try:
            lines = path.read_text().splitlines()
        except OSError:
            continue
        if lines:
            instrumented = sum(1 for line in lines if line.startswith("i "))
            last = lines[-1][2:]
            status.update(f"otel: compiled {len(lines)} packages ({instrumented} instrumented) · {last}")
