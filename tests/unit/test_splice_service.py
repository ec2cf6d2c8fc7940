"""otelgo.toolexec.service: the otel process answers instrumented compiles
while the go command runs. tests/unit/test_shim.py has the native shim's
side; every e2e build goes through it."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from otelgo.toolexec import service


def _ask(path: str, request: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(4096):
            out += chunk
        return out


def _plan(tmp_path: Path) -> Path:
    plan = tmp_path / "plan.json"
    entry = {"version": "v1.0.0", "digest": "d", "rules": []}
    plan.write_text(json.dumps({"token": "abc123", "packages": {"example.com/hit": entry}}))
    return plan


def test_a_compile_is_answered_with_its_arguments_and_warnings(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "pkg").mkdir()
    with service.serving(tmp_path, _plan(tmp_path)) as env:
        path = env[service.SPLICE_ENV]
        assert Path(path).parent == tmp_path
        # Relative source paths start from the directory the compile runs in.
        (tmp_path / "pkg" / "a.go").write_text("package hit\n")
        request = b"example.com/hit\0" + os.fsencode(tmp_path / "pkg") + b"\0-p\0example.com/hit\0a.go\0"
        assert _ask(path, request) == b"ok\0\0-p\0example.com/hit\0a.go\0"  # no rule: nothing to splice
        missing = b"example.com/hit\0" + os.fsencode(tmp_path) + b"\0-p\0example.com/hit\0missing.go\0"
        status, warning, *args = _ask(path, missing).split(b"\0")
        assert status == b"ok" and b"example.com/hit compiled without instrumentation" in warning
        assert args == [b"-p", b"example.com/hit", b"missing.go", b""]
        # What it cannot answer, it says so: the shim then runs shim.py.
        assert _ask(path, b"example.com/other\0/\0-p\0example.com/other\0").startswith(b"no\0KeyError")
        assert _ask(path, b"no terminator").startswith(b"no\0ValueError")
    assert not os.path.exists(path) or _refused(path)


def _refused(path: str) -> bool:
    try:
        _ask(path, b"x\0")
    except OSError:
        return True
    return False


def test_no_socket_where_its_path_would_be_too_long(tmp_path):
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    with service.serving(deep, _plan(tmp_path)) as env:
        assert env == {}
