"""A real AWS-compatible server for the cloud SDK tests: moto's server
(moto_server, from PyPI), which speaks the wire protocols of S3 (REST-XML),
DynamoDB (JSON 1.0) and SQS (both the JSON protocol of current SDKs and the
older query protocol) on one loopback port, with its state in memory.

No Go module the proxy serves here implements SQS's JSON protocol (goaws
v0.4.x speaks the query protocol only, which aws-sdk-go-v2's sqs left in
v1.29) nor DynamoDB, so moto serves all three. It is installed once into a
virtualenv of its own under the user's cache directory (moto's
dependencies stay out of the test venv) and started once per session on a
free port; a failed install fails the tests that need it, saying why.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import free_port, wait_for_port

MOTO = "moto[s3,sqs,dynamodb]==5.2.5"
# moto_server's web framework; moto's "server" extra would bring every
# service's dependencies.
SERVER_DEPS = ["flask", "flask-cors"]


@dataclass
class CloudServer:
    port: int
    proc: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "otelgo-tests" / ("moto-" + MOTO.rsplit("==", 1)[1])


def moto_server_binary() -> Path:
    """moto_server in its virtualenv, installed on first use (a lock keeps
    concurrent sessions from installing it twice)."""
    venv = _cache_dir()
    binary = venv / "bin" / "moto_server"
    done = venv / ".installed"
    if done.exists() and binary.exists():
        return binary
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / (venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists() and binary.exists():
            return binary
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MOTO,
                *SERVER_DEPS,
            ],
        ]
        for cmd in steps:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                pytest.fail(f"installing moto's server failed ({' '.join(cmd)}):\n{proc.stdout}{proc.stderr}")
        done.touch()
    return binary


@contextlib.contextmanager
def moto(workdir: Path):
    binary = moto_server_binary()
    port = free_port()
    log = open(workdir / "moto.log", "wb")
    proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, 60)
        # Ready when it answers.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=30) as resp:
            assert resp.status == 200
        yield CloudServer(port, proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


# Session fixture, made available to every test by conftest.py.


@pytest.fixture(scope="session")
def aws(tmp_path_factory) -> CloudServer:
    """An S3-, DynamoDB- and SQS-compatible server (moto) on loopback."""
    with moto(tmp_path_factory.mktemp("moto")) as server:
        yield server
