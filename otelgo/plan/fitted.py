"""OpenTelemetry modules fitted to an older build list.

Every OpenTelemetry release set otelgo can choose (otelsets.py) requires,
through its exporters, SDK and contrib modules, the gRPC, protobuf, x/net
and x/sys of its day. A program older than the oldest set (gRPC 1.50 to
1.61.0, say) would have those modules raised by minimal version selection.
Its OpenTelemetry modules are built against the program's own versions
instead: each module of the set, and of what the set's modules require in
turn (the OTLP protos, grpc-gateway...), whose go.mod asks for a newer
version of a module of the program's build list, is replaced in otelgo's
go.mod copy by a read-only copy of it outside the module cache
(modcopy.py), and the go command reads that copy's go.mod through the
overlay, asking for the program's versions instead.

Only the go.mod files change: the code is the release's, compiled against
older modules, which the oldest set's code builds with (gRPC 1.50.0 with
protobuf 1.27 and the x/net, x/sys of 2021 are tested). Modules of the
program's build list are never replaced; OpenTelemetry modules of it are
never lowered (a set older than the program's OpenTelemetry is not chosen).
The binary's build info shows each fitted module's line followed by
`=> <copy> (devel)`.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from otelgo.gocmd.golist import GoCommandError, run_go
from otelgo.gocmd.gomodtext import Requirement, requirements
from otelgo.gocmd.jsonstream import json_stream
from otelgo.gocmd.modcache import escape
from otelgo.plan import modcopy
from otelgo.plan.generated import cached_file
from otelgo.plan.otelsets import TEST_ONLY
from otelgo.versions import is_newer

# Modules split out of a module a program may have whole: the monolithic
# google.golang.org/genproto of before mid-2023 still holds their packages,
# and both in one build list make every import of them ambiguous. Where the
# program has the parent and not the part, the part is not required.
SPLIT_FROM = {
    "google.golang.org/genproto/googleapis/rpc": "google.golang.org/genproto",
    "google.golang.org/genproto/googleapis/api": "google.golang.org/genproto",
}


class FitError(Exception):
    pass


@dataclass(frozen=True)
class Fitted:
    module: str
    version: str
    copy: Path  # the module's read-only copy, the replacement's directory
    gomod: Path  # its go.mod as this build reads it (the overlay's target)


def fit(
    modules: dict[str, str],
    build_list: dict[str, str],
    gomodcache: Path,
    cwd: Path,
    replaced: Collection[str] = (),
) -> list[Fitted]:
    """The modules of the build's OpenTelemetry side (modules: the set's
    releases the build requires, and what those require in turn) whose
    go.mod must ask for less to leave build_list as it is, with their
    copies; none of those the user's go.mod replaces (replaced). Raises
    FitError when a go.mod cannot be read or a module not copied."""
    reader = _GoModReader(gomodcache, cwd)
    selected = dict(modules)
    pending = dict(modules)
    while pending:
        reader.prefetch(pending)
        found: dict[str, str] = {}
        for module, version in pending.items():
            for r in reader.requirements(module, version):
                if _kept_out(r.path, build_list) or r.path in build_list:
                    continue
                if r.path not in selected or is_newer(r.version, selected[r.path]):
                    selected[r.path] = found[r.path] = r.version
        pending = found
    fitted = {}
    for module, version in sorted(selected.items()):
        text = reader.text(module, version)
        lowered = _fitted_gomod(text, reader.requirements(module, version), build_list)
        if lowered != text and module not in replaced:
            fitted[module] = (version, lowered)
    if not fitted:
        return []
    dirs = reader.sources({m: v for m, (v, _) in fitted.items()})
    found = []
    for module, (version, text) in fitted.items():
        try:
            copy = modcopy.private_copy(dirs[module], gomodcache)
        except OSError as e:
            raise FitError(f"cannot copy {module}@{version} out of the module cache: {e}") from None
        found.append(Fitted(module, version, copy, cached_file(text, ".mod")))
    return found


def _kept_out(path: str, build_list: dict[str, str]) -> bool:
    parent = SPLIT_FROM.get(path)
    return path in TEST_ONLY or (parent is not None and parent in build_list and path not in build_list)


def _fitted_gomod(text: str, requirements: list[Requirement], build_list: dict[str, str]) -> str:
    """text with every requirement of a module of build_list lowered to the
    build list's version where it asks for more, and the parts of a split
    module the build list has whole left out; the rest as it is (modules
    only tests need too)."""
    lines = text.split("\n")
    for r in requirements:
        if r.path in TEST_ONLY:
            continue  # no package of it is built: raised, it changes no binary
        have = build_list.get(r.path)
        if have is not None and is_newer(r.version, have):
            lines[r.line] = lines[r.line].replace(r.version, have, 1)
        elif _kept_out(r.path, build_list):
            lines[r.line] = "// " + lines[r.line].strip() + " (left out by otelgo)"
    return "\n".join(lines)


class _GoModReader:
    """go.mod files and sources of module versions, from the module cache,
    downloaded through the go command (the user's GOPROXY, checked against
    the checksum database) where the cache lacks them."""

    def __init__(self, gomodcache: Path, cwd: Path):
        self.gomodcache = gomodcache
        self.cwd = cwd
        self._texts: dict[tuple[str, str], str] = {}

    def _mod_file(self, module: str, version: str) -> Path:
        return self.gomodcache / "cache" / "download" / escape(module) / "@v" / f"{escape(version)}.mod"

    def prefetch(self, modules: dict[str, str]) -> None:
        missing = {m: v for m, v in modules.items() if not self._mod_file(m, v).is_file()}
        if missing:
            self._download(missing, "the go.mod of")

    def text(self, module: str, version: str) -> str:
        key = (module, version)
        if key not in self._texts:
            f = self._mod_file(module, version)
            if not f.is_file():
                self.prefetch({module: version})
            self._texts[key] = f.read_text()
        return self._texts[key]

    def requirements(self, module: str, version: str) -> list[Requirement]:
        return requirements(self.text(module, version))

    def sources(self, modules: dict[str, str]) -> dict[str, Path]:
        dirs = {m: self.gomodcache / f"{escape(m)}@{escape(v)}" for m, v in modules.items()}
        missing = {m: v for m, v in modules.items() if not dirs[m].is_dir()}
        if missing:
            for info in self._download(missing, "the source of"):
                if info.get("Dir"):
                    dirs[info["Path"]] = Path(info["Dir"])
        return dirs

    def _download(self, modules: dict[str, str], what: str) -> list[dict]:
        env = dict(os.environ, GOWORK="off", GOFLAGS="")
        args = ["mod", "download", "-json", *(f"{m}@{v}" for m, v in sorted(modules.items()))]
        try:
            out = run_go(args, self.cwd, env)
        except GoCommandError as e:
            raise FitError(f"cannot download {what} {', '.join(sorted(modules))}: {e}") from None
        infos = list(json_stream(out))
        for info in infos:
            if info.get("Error"):
                raise FitError(f"cannot download {what} {info.get('Path')}@{info.get('Version')}: {info['Error']}")
        return infos
