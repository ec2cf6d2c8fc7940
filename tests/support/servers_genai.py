"""A recorded stand-in for the model providers' APIs (OpenAI, Anthropic,
Gemini), for the GenAI client tests: no real model can run here, so
testdata/genaiserver/server.py answers each provider's endpoints with fixed
responses in its wire format, streamed and not, and errors. It runs in its
own process, started once per session on a free loopback port.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import TESTDATA, wait_for_port


@dataclass
class GenAIServer:
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def genai_server(tmp_path_factory) -> GenAIServer:
    workdir = tmp_path_factory.mktemp("genaiserver")
    port_file, log = workdir / "port", workdir / "requests.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(TESTDATA / "genaiserver" / "server.py"), str(port_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert proc.poll() is None, f"genaiserver exited: {log.read_text()}"
            assert time.monotonic() < deadline, "genaiserver did not start in 20 s"
            time.sleep(0.05)
        port = int(port_file.read_text())
        wait_for_port(port, proc, 20)
        yield GenAIServer(port, proc, log)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
