"""The database servers the library tests run against really start and answer."""

from __future__ import annotations

import shutil
import socket
import subprocess


def test_redis_answers_ping(redis):
    with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as s:
        s.sendall(b"PING\r\n")
        assert s.recv(64) == b"+PONG\r\n"


def test_postgres_runs_sql(postgres):
    psql = shutil.which("psql")
    out = subprocess.run([psql, postgres.url, "-tAc", "select 40 + 2"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "42"


def test_mariadb_runs_sql(mariadb):
    client = shutil.which("mariadb") or shutil.which("mysql")
    out = subprocess.run(
        [client, "--no-defaults", "-h", "127.0.0.1", f"-P{mariadb.port}", "-uroot", "otelgo", "-Nse", "select 40 + 2"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "42"
