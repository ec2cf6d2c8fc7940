"""Servers for the database and cache client tests beyond services.py: a
three-node Redis cluster (redis-server and redis-cli, Debian's
redis-server and redis-tools), memcached (Debian's memcached) and FerretDB
(the MongoDB wire protocol on SQLite, a Go module built by the suite),
each started once per session on loopback ports and stopped at its end.

FerretDB v1.24 is built once per machine into a cache directory outside
the repository ($XDG_CACHE_HOME or ~/.cache, otelgo-tests/ferretdb-VERSION),
from a copy of its module with build/version/version.txt written (`go
install` of the module panics at start without that file); the first build
takes minutes on two cores, later sessions reuse the binary.

tests/install-services.sh installs the packages (.ci/run runs it); a test
never skips for want of a server: it fails and says which package to
install.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import find_go, wait_for_port
from services import Server, _need, _stop


def _port_pair() -> int:
    """A free port p (below 55535) whose cluster bus port p+10000 is free too."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 55535:
            continue
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port + 10000))
            return port
    raise AssertionError("no free pair of ports for a Redis cluster node")


def crc16(data: bytes) -> int:
    """CRC16-XMODEM, Redis Cluster's key hash."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key: str) -> int:
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1 : end]
    return crc16(key.encode()) % 16384


@dataclass
class RedisCluster:
    ports: list[int]
    slots: dict[int, tuple[int, int]]  # port -> (first slot, last slot)

    @property
    def addrs(self) -> list[str]:
        return [f"127.0.0.1:{p}" for p in self.ports]

    def port_of(self, key: str) -> int:
        slot = key_slot(key)
        return next(p for p, (lo, hi) in self.slots.items() if lo <= slot <= hi)


def _cli(cli: str, port: int, *args: str) -> str:
    return subprocess.run(
        [cli, "-h", "127.0.0.1", "-p", str(port), *args], check=True, capture_output=True, text=True, timeout=30
    ).stdout


@contextlib.contextmanager
def redis_cluster(workdir: Path, nodes: int = 3):
    server = _need("redis-server", "redis-server")
    cli = _need("redis-cli", "redis-tools")
    procs, ports, logs = [], [], []
    try:
        for i in range(nodes):
            port = _port_pair()
            d = workdir / f"node{i}"
            d.mkdir()
            log = open(d / "redis.log", "wb")
            logs.append(log)
            args = [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d), "--save", ""]
            args += ["--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
            procs.append(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT))
            ports.append(port)
        for port, proc in zip(ports, procs, strict=True):
            wait_for_port(port, proc, 30)
        subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *[f"127.0.0.1:{p}" for p in ports],
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        deadline = time.monotonic() + 60
        while not all("cluster_state:ok" in _cli(cli, p, "cluster", "info") for p in ports):
            assert time.monotonic() < deadline, "the Redis cluster did not reach cluster_state:ok in 60 s"
            time.sleep(0.2)
        slots = {}
        for line in _cli(cli, ports[0], "cluster", "nodes").splitlines():
            fields = line.split()
            port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
            lo, _, hi = fields[8].partition("-")
            slots[port] = (int(lo), int(hi or lo))
        yield RedisCluster(ports, slots)
    finally:
        for proc in procs:
            _stop(proc)
        for log in logs:
            log.close()


@contextlib.contextmanager
def memcached_server(workdir: Path):
    binary = _need("memcached", "memcached")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(workdir / "memcached.log", "wb")
    args = [binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "16"]
    if os.geteuid() == 0:
        args += ["-u", "root"]
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, 30)
        yield Server("memcached", port, f"127.0.0.1:{port}", proc)
    finally:
        _stop(proc)
        log.close()


FERRETDB_VERSION = "v1.24.2"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "otelgo-tests"


def ferretdb_binary() -> Path:
    """FerretDB's binary, built on first use into the cache directory."""
    out_dir = _cache_dir() / f"ferretdb-{FERRETDB_VERSION}"
    binary = out_dir / "ferretdb"
    if binary.exists():
        return binary
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():
            return binary
        go = find_go()
        env = {**os.environ, "GOFLAGS": "-mod=mod"}
        dl = subprocess.run(
            [go, "mod", "download", "-json", f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert dl.returncode == 0, f"go mod download of FerretDB failed:\n{dl.stdout}{dl.stderr}"
        src = out_dir / "src"
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(json.loads(dl.stdout)["Dir"], src)
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        (src / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        tmp = out_dir / "ferretdb.tmp"
        built = subprocess.run(
            [go, "build", "-trimpath", "-o", str(tmp), "./cmd/ferretdb"],
            cwd=src,
            capture_output=True,
            text=True,
            env=env,
            timeout=1800,
        )
        assert built.returncode == 0, f"building FerretDB failed:\n{built.stdout}{built.stderr}"
        tmp.rename(binary)
        shutil.rmtree(src, ignore_errors=True)
    return binary


@contextlib.contextmanager
def ferretdb_server(workdir: Path):
    binary = ferretdb_binary()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (workdir / "data").mkdir()
    log = open(workdir / "ferretdb.log", "wb")
    args = [
        str(binary),
        "--handler=sqlite",
        f"--sqlite-url=file:{workdir / 'data'}/",
        f"--state-dir={workdir}",
        f"--listen-addr=127.0.0.1:{port}",
        "--debug-addr=-",
        "--telemetry=disable",
        "--log-level=WARN",
    ]
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "DO_NOT_TRACK": "1"})
    try:
        wait_for_port(port, proc, 60)
        yield Server("ferretdb", port, f"mongodb://127.0.0.1:{port}/", proc)
    finally:
        _stop(proc)
        log.close()


# Session fixtures, made available to every test by conftest.py.


@pytest.fixture(scope="session")
def redis_cluster_nodes(tmp_path_factory) -> RedisCluster:
    with redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def memcached(tmp_path_factory) -> Server:
    with memcached_server(tmp_path_factory.mktemp("memcached")) as server:
        yield server


@pytest.fixture(scope="session")
def ferretdb(tmp_path_factory) -> Server:
    with ferretdb_server(tmp_path_factory.mktemp("ferretdb")) as server:
        yield server
