"""Instrumented compiles answered by the otel process itself.

A compile of a package a rule matched went from the native shim to shim.py,
whose start costs more than its work: the interpreter, otelgo's modules,
tree-sitter's grammar and the templates came to 80-120 ms of CPU for each
such compile, and the runtime's and package main's compiles are on the
build's critical path. The otel process waits for the go command anyway:
while the build runs, it listens on a Unix socket in the build directory
(SPLICE_ENV names it), with all of that loaded once, and answers a
compile's arguments with the spliced ones (compile.instrumented_args). The
native shim then runs the compiler itself. Where there is no socket (`otel
toolexec-flags`, a build directory whose path is too long for one) or no
answer, the shim hands the compile to shim.py as before, which does the
same work.

The request: NUL-terminated fields, the package, the directory the go
command runs the compiler in, then the compile's arguments; the shim then
shuts its writing side. The answer: "ok", what to write to stderr, then the
new arguments, each NUL-terminated; or "no" and the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from otelgo.toolexec.protocol import SPLICE_ENV

SOCKET_NAME = "splice.sock"
_MAX_PATH = 100  # sun_path holds 104-108 bytes, the terminating NUL included


@contextlib.contextmanager
def serving(build_dir: Path, plan_file: Path) -> Iterator[dict[str, str]]:
    """While the block runs, instrumented compiles of the plan are answered
    here; yields the environment that tells the shim where (empty when the
    socket cannot be made: the shim then runs shim.py)."""
    path = build_dir / SOCKET_NAME
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if len(os.fsencode(path)) > _MAX_PATH:
            raise OSError(f"{path}: too long for a socket")
        listener.bind(str(path))
        listener.listen(16)
    except OSError:
        listener.close()
        yield {}
        return
    # Nothing is loaded before the first request: a rebuild that compiles
    # nothing instrumented pays for none of it.
    service = _Service(plan_file)
    threading.Thread(target=service.accept, args=(listener,), daemon=True).start()
    try:
        yield {SPLICE_ENV: str(path)}
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        listener.close()


class _Service:
    def __init__(self, plan_file: Path):
        self._plan_file = plan_file
        self._plan: dict | None = None
        self._lock = threading.Lock()

    def plan(self) -> dict:
        with self._lock:
            if self._plan is None:
                self._plan = json.loads(self._plan_file.read_bytes())
            return self._plan

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # closed: the build is over
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                reply = self._reply(_read_all(conn))
            except Exception as e:  # shim.py does the same work, and says what fails
                reply = b"no\0" + os.fsencode(f"{type(e).__name__}: {e}") + b"\0"
            with contextlib.suppress(OSError):
                conn.sendall(reply)

    def _reply(self, request: bytes) -> bytes:
        from otelgo.toolexec.compile import instrumented_args

        fields = [os.fsdecode(f) for f in request.split(b"\0")]
        if len(fields) < 3 or fields[-1] != "":
            raise ValueError("a request ends with a NUL after the package, the directory and the arguments")
        pkg, cwd, *args = fields[:-1]
        new_args, warnings = instrumented_args(self.plan(), pkg, args, Path(cwd))
        return b"ok\0" + warnings.encode() + b"\0" + b"".join(os.fsencode(a) + b"\0" for a in new_args)


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
