"""Private copies of modules of the module cache, outside GOMODCACHE.

otelgo adds its bootstrap file to each main package through the go
command's -overlay, and the go command refuses any overlay path beneath
GOMODCACHE ("Files beneath GOMODCACHE must not be replaced"). A main
package of another module, named by its import path (`otel go build
example.com/tool/cmd/x` in a module that requires example.com/tool), is
built from a copy of its module instead: otelgo's go.mod copy (or go.work)
replaces that one module, at the version the build requires, by the copy's
directory, where the overlay applies. The module keeps its version in the
build list; the binary's build info (`go version -m`) shows the replacement
(`=> <copy> (devel)` after the module's line). The copy lives in otelgo's
cache, one per module version, its files read-only; the module cache itself
is only read.

`otel go install pkg@version` and `otel go run pkg@version` build the
module as the main module, as the go command does: from a writable copy in
the build dir (main_copy), since the go command writes nothing there and
the overlay applies.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from otelgo.resources import cache_dir, private_dir


def copies_root() -> Path:
    return cache_dir() / "modcopy"


def private_copy(module_dir: Path, gomodcache: Path) -> Path:
    """The read-only copy of a module of the module cache (module_dir, its
    directory there): made once, by rename, so that a build never sees a
    copy half made; the same path for the same module version (its escaped
    path@version under GOMODCACHE)."""
    rel = module_dir.relative_to(gomodcache)
    target = copies_root() / rel
    if target.is_dir():
        return target
    private_dir(copies_root())
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(module_dir, tmp, symlinks=True)
    _read_only_files(tmp)
    try:
        os.rename(tmp, target)
    except OSError:  # another build made it first
        _writable(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        if not target.is_dir():
            raise
    return target


def main_copy(module_dir: Path, target: Path) -> Path:
    """A writable copy of a module of the module cache, to build as the main
    module (pkg@version): the go command may write nothing there, but the
    build dir that holds it is removed after the build."""
    shutil.copytree(module_dir, target, symlinks=True)
    _writable(target)
    return target


def _read_only_files(root: Path) -> None:
    """Files read-only (as in the module cache); directories writable by
    their owner, so that the user can delete otelgo's cache with rm -r."""
    _set_modes(root, lambda mode: 0o444)


def _writable(root: Path) -> None:
    _set_modes(root, lambda mode: mode | stat.S_IWUSR)


def _set_modes(root: Path, file_mode) -> None:
    """Directories under root 0755, each file (not a symlink) file_mode(its mode)."""
    for d, _dirs, files in os.walk(root):
        os.chmod(d, 0o755)
        for f in files:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                os.chmod(p, file_mode(os.stat(p).st_mode))
