"""A package of another module, and go install: the forms of the go command
that build a main package in the module cache, where the go command takes
no overlay file (otelgo adds its bootstrap through -overlay).

testdata/proxied is a real module, example.com/otelgotool, with a main
package (cmd/hellotool, net/http client and server) that the tests serve to
the go command as a module zip through a GOPROXY=file:// directory made
here, at a version named after a digest of its files: the go command
downloads it into the (shared) module cache like any other module. Each
test builds with `otel go ...`, runs the binary and asserts a CLIENT span
and the SERVER span under it at the OTLP receiver (the bootstrap and the
hooks are in), that the user's tree is byte-identical, and that the module
cache's copy of the module is unchanged:

- `otel go build -o x example.com/otelgotool/cmd/hellotool` and `otel go
  run example.com/otelgotool/cmd/hellotool` in a module that requires it
  (built from otelgo's read-only copy of the module, otelgo/plan/modcopy.py);
- `otel go install example.com/otelgotool/cmd/hellotool@version` (GOBIN,
  else GOPATH/bin) and `otel go run ...@version` (otelgo/gocmd/versioned.py);
- `otel go install .` of a package of the current module;
- parity where go fails: a pkg@version whose go.mod has a replace
  directive, an unknown version: the same exit status and first error line.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from pathlib import Path

import harness
import pytest

SOURCE = harness.TESTDATA / "proxied"
MODULE = "example.com/otelgotool"
PACKAGE = f"{MODULE}/cmd/hellotool"


def _digest() -> str:
    files = sorted(p for p in SOURCE.rglob("*") if p.is_file())
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(SOURCE).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


DIGEST = _digest()
VERSION = f"v0.1.0-t{DIGEST}"  # testdata/proxied as it is
REPLACING = f"v0.1.1-r{DIGEST}"  # the same, with a replace directive in its go.mod
UNKNOWN = "v9.9.9"


def _serve(proxy: Path, version: str, gomod: str) -> None:
    """One version of the module in the layout of a module proxy."""
    d = proxy / MODULE / "@v"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2026-01-01T00:00:00Z"}))
    (d / f"{version}.mod").write_text(gomod)
    with zipfile.ZipFile(d / f"{version}.zip", "w") as z:
        for p in sorted(SOURCE.rglob("*")):
            if p.is_file():
                rel = p.relative_to(SOURCE).as_posix()
                z.writestr(f"{MODULE}@{version}/{rel}", gomod if rel == "go.mod" else p.read_bytes())
    with (d / "list").open("a") as f:
        f.write(version + "\n")


@pytest.fixture(scope="module")
def goenv(tmp_path_factory) -> dict[str, str]:
    """The go command's environment: the module from the file proxy (the
    real proxies after it, for what the module cache lacks; never direct),
    no checksum database lookup for it."""
    proxy = tmp_path_factory.mktemp("proxy")
    gomod = (SOURCE / "go.mod").read_text()
    _serve(proxy, VERSION, gomod)
    _serve(proxy, REPLACING, gomod + "\nreplace example.com/nothing => ./nothing\n")
    upstream = harness.go("env", "GOPROXY", cwd=proxy).stdout.strip()
    others = [p for p in upstream.replace("|", ",").split(",") if p and p not in ("direct", "off")]
    return {
        "GOPROXY": ",".join([proxy.as_uri(), *others]),
        "GONOSUMDB": MODULE,
        "GOWORK": "off",
    }


@pytest.fixture(scope="module")
def modcache_copy(goenv, tmp_path_factory) -> Path:
    """The module's directory in the module cache (downloaded here)."""
    where = tmp_path_factory.mktemp("download")
    proc = harness.go("mod", "download", "-json", f"{MODULE}@{VERSION}", cwd=where, env=goenv)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Path(json.loads(proc.stdout)["Dir"])


@pytest.fixture(scope="module")
def consumer(goenv, modcache_copy, tmp_path_factory) -> Path:
    """A user's module that requires example.com/otelgotool (go.mod and
    go.sum written by go get)."""
    d = tmp_path_factory.mktemp("consumer")
    (d / "go.mod").write_text("module example.com/consumer\n\ngo 1.24\n")
    proc = harness.go("get", f"{MODULE}@{VERSION}", cwd=d, env=goenv)
    assert proc.returncode == 0, proc.stderr
    return d


def _snapshot(root: Path) -> dict[str, str]:
    """Contents and permission bits of every file and directory under root."""
    snap = harness.tree_snapshot(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            snap[f"mode:{p.relative_to(root)}"] = oct(stat.S_IMODE(p.lstat().st_mode))
    return snap


class Untouched:
    """The user's tree and the module cache's copy of the module, before
    and after."""

    def __init__(self, *roots: Path):
        self.roots = roots
        self.before = [_snapshot(r) for r in roots]

    def check(self) -> None:
        for root, before in zip(self.roots, self.before, strict=True):
            diff = harness.diff_snapshots(before, _snapshot(root))
            assert not diff, f"{root} changed:\n{diff}"


def _traced(receiver, service="hellotool"):
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    server = next(s for s in spans if s.kind == "SERVER")
    client = next(s for s in spans if s.kind == "CLIENT")
    assert server.parent_span_id == client.span_id and server.trace_id == client.trace_id
    assert server.name == "GET /tool/{name}"
    assert {s.service_name for s in spans} == {service}


def _run(binary: Path, receiver, run_program, cwd_env=None):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(binary, args=["one"], env=env, listen=False) as prog:
        assert prog.wait() == 0, prog.stderr
    assert "hello from the tool, gopher" in prog.stdout
    _traced(receiver)


def _build_info(binary: Path) -> list[list[str]]:
    out = harness.go("version", "-m", str(binary), cwd=binary.parent).stdout
    return [line.split("\t")[1:] for line in out.splitlines()[1:]]


def test_build_a_main_package_of_a_required_module(tmp_path, goenv, consumer, modcache_copy, receiver, run_program):
    untouched = Untouched(consumer, modcache_copy)
    binary = tmp_path / "hellotool"
    result = harness.check_build(harness.otel_go("build", "-o", str(binary), PACKAGE, cwd=consumer, env=goenv))
    assert "package main: main" in result.stderr
    assert f"note {MODULE} {VERSION} is built from a copy of it in" in result.stderr
    untouched.check()
    info = _build_info(binary)
    assert info[0] == ["path", PACKAGE]
    # The main package's module keeps its version (go build's line has its
    # go.sum hash after it); the replacement by otelgo's copy follows it.
    assert info[1][:3] == ["mod", MODULE, VERSION]
    assert info[2][0] == "=>" and "/otelgo/modcopy/" in info[2][1] and info[2][2] == "(devel)"
    _run(binary, receiver, run_program)


def test_run_a_main_package_of_a_required_module(goenv, consumer, modcache_copy, receiver):
    untouched = Untouched(consumer, modcache_copy)
    env = {**goenv, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    proc = harness.otel_go("run", PACKAGE, "a", "b c", cwd=consumer, env=env)
    assert proc.returncode == 0, proc.stderr
    assert f'args ["a" "b c"] wd {consumer}' in proc.stdout
    _traced(receiver)
    untouched.check()


def test_install_pkg_at_version_into_gobin(tmp_path, goenv, modcache_copy, receiver, run_program):
    """Outside any module, as go install pkg@version is mostly used: the
    binary lands in GOBIN under the package's name, where go install puts
    its own."""
    cwd = tmp_path / "somewhere"
    cwd.mkdir()
    untouched = Untouched(cwd, modcache_copy)
    plain, ours = tmp_path / "plain", tmp_path / "ours"
    assert harness.go("install", f"{PACKAGE}@{VERSION}", cwd=cwd, env={**goenv, "GOBIN": str(plain)}).returncode == 0
    result = harness.check_build(
        harness.otel_go("install", f"{PACKAGE}@{VERSION}", cwd=cwd, env={**goenv, "GOBIN": str(ours)})
    )
    assert "package main: main" in result.stderr
    assert f"built with a copy of {MODULE}@{VERSION} as the main module" in result.stderr
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in plain.iterdir()) == ["hellotool"]
    untouched.check()
    info = _build_info(ours / "hellotool")
    assert info[0] == ["path", PACKAGE]
    # What differs from go install: the main module's version.
    assert info[1][:3] == ["mod", MODULE, "(devel)"]
    assert _build_info(plain / "hellotool")[1][:3] == ["mod", MODULE, VERSION]
    _run(ours / "hellotool", receiver, run_program)


def test_install_pkg_at_version_into_gopath_bin(tmp_path, goenv, modcache_copy):
    """No GOBIN: GOPATH/bin (the module cache stays where it is)."""
    gomodcache = harness.go("env", "GOMODCACHE", cwd=tmp_path).stdout.strip()
    env = {**goenv, "GOBIN": None, "GOPATH": str(tmp_path / "gopath"), "GOMODCACHE": gomodcache}
    harness.check_build(harness.otel_go("install", "-q", f"{PACKAGE}@{VERSION}", cwd=tmp_path, env=env))
    assert sorted(p.name for p in (tmp_path / "gopath" / "bin").iterdir()) == ["hellotool"]


def test_run_pkg_at_version_in_another_module(tmp_path, goenv, modcache_copy, receiver):
    """go run pkg@version ignores the module of the current directory; the
    program runs in that directory, with its arguments."""
    here = tmp_path / "elsewhere"
    here.mkdir()
    (here / "go.mod").write_text("module example.com/elsewhere\n\ngo 1.24\n")
    untouched = Untouched(here, modcache_copy)
    env = {**goenv, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    proc = harness.otel_go("run", f"{PACKAGE}@{VERSION}", "x", cwd=here, env=env)
    assert proc.returncode == 0, proc.stderr
    assert f'args ["x"] wd {here}' in proc.stdout
    _traced(receiver)
    untouched.check()


def test_install_a_package_of_the_current_module(tmp_path, receiver, run_program):
    """otel go install . installs where go install . does: GOBIN."""
    hello = harness.TESTDATA / "hello"
    untouched = Untouched(hello)
    harness.check_build(harness.otel_go("install", ".", cwd=hello, env={"GOBIN": str(tmp_path / "bin")}))
    assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["hello"]
    untouched.check()
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(tmp_path / "bin" / "hello", env=env, listen=False) as prog:
        assert prog.wait() == 0, prog.stderr
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    assert {s.service_name for s in spans} == {"hello"}


def _first_error(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if not line.startswith("go: downloading ")), "")


@pytest.mark.parametrize("subcommand", ["install", "run"])
@pytest.mark.parametrize("version", [REPLACING, UNKNOWN], ids=["replace-directive", "unknown-version"])
def test_failing_pkg_at_version_fails_as_go_does(tmp_path, goenv, subcommand, version):
    # The file proxy alone: the unknown version's error is its own, not a remote proxy's.
    env = {**goenv, "GOPROXY": goenv["GOPROXY"].split(",")[0], "GOBIN": str(tmp_path / "bin")}
    go = harness.go(subcommand, f"{PACKAGE}@{version}", cwd=tmp_path, env=env)
    ours = harness.otel_go(subcommand, f"{PACKAGE}@{version}", cwd=tmp_path, env=env)
    assert go.returncode != 0
    assert (ours.returncode, _first_error(ours.stderr)) == (go.returncode, _first_error(go.stderr))
    assert not (tmp_path / "bin").exists()
