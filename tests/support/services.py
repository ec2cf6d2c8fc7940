"""Real database servers for the library tests: Redis, PostgreSQL and
MariaDB from Debian's packages, each started by the test session on a free
loopback port in a temporary directory and stopped at its end.

tests/install-services.sh installs the packages (.ci/run runs it); a test
never skips for want of a server: it fails and says which package to install.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import free_port, wait_for_port


@dataclass
class Server:
    name: str
    port: int
    url: str  # how a Go driver reaches it (DSN or address)
    proc: subprocess.Popen

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"


def _need(binary: str, package: str) -> str:
    found = shutil.which(binary) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"))), None)
    if found:
        return found
    pytest.fail(f"{binary} not found: install the Debian package {package} (tests/install-services.sh does)")


def _as_user(user: str):
    """Drop root for servers that refuse it (PostgreSQL)."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(user)

    def demote():
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)

    return demote


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def redis_server(workdir: Path):
    binary = _need("redis-server", "redis-server")
    port = free_port()
    log = open(workdir / "redis.log", "wb")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, 30)
        yield Server("redis", port, f"127.0.0.1:{port}", proc)
    finally:
        _stop(proc)
        log.close()


@contextlib.contextmanager
def postgres_server(workdir: Path):
    initdb = _need("initdb", "postgresql")
    postgres = _need("postgres", "postgresql")
    demote = _as_user("postgres")
    if demote:
        # pytest's own temp dirs are closed to other users; PostgreSQL refuses
        # to run as root, so it gets a directory of its own.
        workdir = Path(tempfile.mkdtemp(prefix="otelgo-postgres-"))
        workdir.chmod(0o755)
        shutil.chown(workdir, "postgres")
    data, sock = workdir / "pgdata", workdir / "pgsock"
    subprocess.run(
        [initdb, "-D", str(data), "-U", "otelgo", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        preexec_fn=demote,
    )
    sock.mkdir()
    if demote:
        shutil.chown(sock, "postgres")
    port = free_port()
    log = open(workdir / "postgres.log", "wb")
    proc = subprocess.Popen(
        [
            postgres,
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sock),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=demote,
    )
    try:
        wait_for_port(port, proc, 60)
        _retry(
            lambda: subprocess.run(
                [_need("createdb", "postgresql"), "-h", "127.0.0.1", "-p", str(port), "-U", "otelgo", "otelgo"],
                check=True,
                capture_output=True,
            )
        )
        yield Server("postgres", port, f"postgres://otelgo@127.0.0.1:{port}/otelgo?sslmode=disable", proc)
    finally:
        _stop(proc)
        log.close()
        if demote:
            shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def mariadb_server(workdir: Path):
    install = _need("mariadb-install-db", "mariadb-server")
    mariadbd = shutil.which("mariadbd") or shutil.which("mysqld") or _need("mariadbd", "mariadb-server")
    data = workdir / "mariadb"
    subprocess.run(
        [install, f"--datadir={data}", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = open(workdir / "mariadb.log", "wb")
    proc = subprocess.Popen(
        [
            mariadbd,
            "--no-defaults",
            f"--datadir={data}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--socket={workdir / 'mariadb.sock'}",
            "--user=root",
            "--skip-log-bin",
            f"--pid-file={workdir / 'mariadb.pid'}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, 60)
        client = shutil.which("mariadb") or shutil.which("mysql")
        _retry(
            lambda: subprocess.run(
                [
                    client,
                    "--no-defaults",
                    "-h",
                    "127.0.0.1",
                    f"-P{port}",
                    "-uroot",
                    "-e",
                    "CREATE DATABASE IF NOT EXISTS otelgo",
                ],
                check=True,
                capture_output=True,
            )
        )
        yield Server("mariadb", port, f"root@tcp(127.0.0.1:{port})/otelgo", proc)
    finally:
        _stop(proc)
        log.close()


def _retry(action, attempts: int = 30):
    for i in range(attempts):
        try:
            return action()
        except subprocess.CalledProcessError:
            if i == attempts - 1:
                raise
            time.sleep(0.5)


# Session fixtures, made available to every test by conftest.py.


@pytest.fixture(scope="session")
def redis(tmp_path_factory) -> Server:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres(tmp_path_factory) -> Server:
    with postgres_server(tmp_path_factory.mktemp("postgres")) as server:
        yield server


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory) -> Server:
    with mariadb_server(tmp_path_factory.mktemp("mariadb")) as server:
        yield server
