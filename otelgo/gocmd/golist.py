"""What the go command knows: its environment and the packages of a build."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from otelgo.gocmd.gomodtext import edit_json
from otelgo.gocmd.jsonstream import json_stream
from otelgo.resources import cache_dir, write_atomically
from otelgo.versions import Version, VersionError


class GoCommandError(Exception):
    def __init__(self, message: str, returncode: int = 1):
        super().__init__(message)
        self.returncode = returncode


@dataclass(frozen=True)
class GoEnv:
    goversion: str  # "go1.26.8"
    goroot: Path
    gomod: str  # path of go.mod; os.devnull outside any module, "" in GOPATH mode (GO111MODULE=off)
    gowork: str  # path of go.work, "" when not in workspace mode
    gomodcache: Path
    gocache: Path
    goflags: str = ""  # from the environment or `go env -w`

    @property
    def std_version(self) -> Version | None:
        """The version standard-library packages are matched with: the toolchain's."""
        try:
            return Version.parse(self.goversion.split()[0].split("-")[0])
        except VersionError:
            return None  # a devel toolchain: no version range applies


@dataclass
class Package:
    import_path: str
    name: str
    dir: Path | None
    standard: bool
    dep_only: bool
    module_path: str = ""
    module_version: str = ""
    module_dir: str = ""
    required_version: str = ""  # the module's version the build requires (before any replacement)
    go_files: list[str] = field(default_factory=list)
    has_tests: bool = False
    imports: list[str] = field(default_factory=list)
    deps: list[str] = field(default_factory=list)
    error: str = ""
    error_pos: str = ""  # file:line:col of the error, as the go command prints it

    @property
    def is_command(self) -> bool:
        return self.name == "main" and not self.dep_only


def run_go(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise GoCommandError(proc.stderr.strip() or f"go {args[0]} failed", proc.returncode)
    return proc.stdout


def go_stamp() -> bytes:
    """The go command on PATH, as a cache key: its path and modification time."""
    go = shutil.which("go") or "go"
    try:
        return f"{go}:{os.stat(go).st_mtime_ns}".encode()
    except OSError:
        return go.encode()


def cached_output(kind: str, key: bytes, run) -> str:
    """run()'s output, kept in otelgo's cache under kind and a digest of key,
    which must hold everything the output depends on."""
    cached = cache_dir() / kind / f"{hashlib.sha256(key).hexdigest()[:32]}.out"
    try:
        return cached.read_text()
    except OSError:
        pass
    out = run()
    with contextlib.suppress(OSError):  # a read-only cache: asked again next time
        write_atomically(cached, out)
    return out


def mod_edit_json(gomod: Path, cwd: Path | None = None) -> dict:
    """`go mod edit -json` of a go.mod: a build asks it of every hook
    module's go.mod, ten or more, at 20-25 ms each. Read in Python where
    the file is plainly written (gomodtext.edit_json); otherwise asked of
    the go command and cached, as it depends only on the file and the go
    command."""
    data = gomod.read_bytes()
    with contextlib.suppress(UnicodeDecodeError):
        if (parsed := edit_json(data.decode())) is not None:
            return parsed
    key = data + b"\0" + go_stamp()
    return json.loads(
        cached_output("modjson", key, lambda: run_go(["mod", "edit", "-json", str(gomod)], cwd or gomod.parent))
    )


def go_env(cwd: Path, env: dict[str, str] | None = None) -> GoEnv:
    out = json.loads(
        run_go(["env", "-json", "GOVERSION", "GOROOT", "GOMOD", "GOWORK", "GOMODCACHE", "GOCACHE", "GOFLAGS"], cwd, env)
    )
    return GoEnv(
        goversion=out["GOVERSION"],
        goroot=Path(out["GOROOT"]),
        gomod=out.get("GOMOD", ""),
        gowork=out.get("GOWORK", ""),
        gomodcache=Path(out["GOMODCACHE"]),
        gocache=Path(out["GOCACHE"]),
        goflags=out.get("GOFLAGS", ""),
    )


_FIELDS = "ImportPath,Name,Dir,Standard,DepOnly,Module,GoFiles,TestGoFiles,XTestGoFiles,Imports,Deps,Error,ForTest"


def list_deps(
    patterns: list[str],
    flags: list[str],
    cwd: Path,
    env: dict[str, str],
    tests: bool = False,
    cache: Path | None = None,
    needle: str | None = None,
) -> list[Package]:
    """`go list -deps` over the user's packages and the hook packages.
    With needle, the packages of an answer are read only if the answer
    holds that text (a caller looking for one kind of error).

    The go command refuses to mix .go files with import paths in one call:
    a build of named files (`go run main.go`) lists them apart from the
    rest. -e keeps going past broken packages: the build that follows
    reports their errors in the go command's own words.
    """
    files = [p for p in patterns if p.endswith(".go")]
    groups = [files, [p for p in patterns if not p.endswith(".go")]] if files else [patterns]
    packages, seen = [], set()
    for group in filter(None, groups):
        test_flag = ["-test"] if tests else []
        args = ["list", "-e", "-deps", *test_flag, f"-json={_FIELDS}", *flags, "--", *group]
        if cache is None:
            out = run_go(args, cwd, env)
        else:
            out = cache.get(args, cwd, env, lambda args=args: run_go(args, cwd, env))
        if needle is not None and needle not in out:
            continue
        for obj in json_stream(out):
            pkg = _package(obj)
            # Test variants ("net/http [example.com/x.test]") compile as the
            # same package for the shim; the generated test main is a command.
            if pkg.import_path in seen or obj.get("ForTest") and pkg.name != "main":
                continue
            seen.add(pkg.import_path)
            packages.append(pkg)
    return packages


def _package(obj: dict) -> Package:
    if "ImportPath" not in obj:  # go list -e says what it could not list
        raise GoCommandError(f"go list: {(obj.get('Error') or {}).get('Err', 'no package')}")
    module = obj.get("Module") or {}
    replace = module.get("Replace") or {}
    return Package(
        import_path=obj["ImportPath"].split(" ")[0],
        name=obj.get("Name", ""),
        dir=Path(obj["Dir"]) if obj.get("Dir") else None,
        standard=obj.get("Standard", False),
        dep_only=obj.get("DepOnly", False),
        module_path=module.get("Path", ""),
        # A module replaced by another version is that version; replaced by a
        # directory, it keeps the version the build requires.
        module_version=replace.get("Version") or module.get("Version", ""),
        module_dir=module.get("Dir", ""),
        required_version=module.get("Version", ""),
        go_files=obj.get("GoFiles", []),
        has_tests=bool(obj.get("TestGoFiles") or obj.get("XTestGoFiles")),
        # A variant ("net/http [example.com/cmd/app]": built with a main
        # package's PGO profile, or for a test) compiles as the package itself.
        imports=_unique(obj.get("Imports", [])),
        deps=_unique(obj.get("Deps", [])),
        error=(obj.get("Error") or {}).get("Err", ""),
        error_pos=(obj.get("Error") or {}).get("Pos", ""),
    )


def _unique(paths: list[str]) -> list[str]:
    """Import paths without their variants' suffixes (" [...]"), once each."""
    if " " in "".join(paths):
        paths = [p.split(" ")[0] for p in paths]
    return list(dict.fromkeys(paths))


def go_subprocess_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
