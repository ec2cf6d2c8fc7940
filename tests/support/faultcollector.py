"""Collectors that fail in the ways real ones do, for the fault tests and
bench/faults.py. Each listens on 127.0.0.1 and counts what it was sent, so a
test can check that its fault was met:

- "blackhole": accepts TCP connections and reads, never answers;
- "reset": accepts and resets each connection at once (RST);
- "503": answers every export 503 Service Unavailable with Retry-After: 1;
- "slow": a real OTLP receiver that answers each export after 2 s.

    with fault_collector("reset") as c:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = c.endpoint
        ...
        assert c.contacts > 0
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from otlp import OTLPReceiver

FAULTS = ("blackhole", "reset", "503", "slow")
SLOW_SECONDS = 2.0
RETRY_AFTER = "1"


class _Socket:
    """blackhole and reset: a bare TCP listener."""

    def __init__(self, fault: str):
        self.fault = fault
        self.contacts = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.contacts += 1
            if self.fault == "reset":
                # SO_LINGER with a zero timeout: close() sends RST, not FIN.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                self._held.append(conn)
                threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    def _swallow(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set() and conn.recv(65536):
                pass

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        for c in self._held:
            with contextlib.suppress(OSError):
                c.close()


class _Unavailable:
    """503 with Retry-After to every POST."""

    def __init__(self):
        self.contacts = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.contacts += 1
                body = b"overloaded"
                self.send_response(503)
                self.send_header("Retry-After", RETRY_AFTER)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Slow:
    """A real receiver that holds each export SLOW_SECONDS before answering."""

    def __init__(self):
        self.receiver = OTLPReceiver(grpc_enabled=False)
        self.receiver.stall = SLOW_SECONDS
        self.receiver.start()

    @property
    def contacts(self) -> int:
        return len(self.receiver.records)

    @property
    def endpoint(self) -> str:
        return self.receiver.http_endpoint

    def close(self) -> None:
        self.receiver.close()


@contextlib.contextmanager
def fault_collector(fault: str) -> Iterator[_Socket | _Unavailable | _Slow]:
    if fault in ("blackhole", "reset"):
        c = _Socket(fault)
    elif fault == "503":
        c = _Unavailable()
    elif fault == "slow":
        c = _Slow()
    else:
        raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
    try:
        yield c
    finally:
        c.close()
