"""How instrumented compiles are keyed in the go command's build cache.

Two keys, so that a build recompiles exactly what its instrumentation changes:

- The instrumentation token, appended to the compiler's -V=full line (the
  tool ID, which keys every compile of the build): the code and templates
  that decide what a matched package's compile produces. It changes when
  otelgo's compile side changes, and with nothing else: not with the rules,
  so a library's rules cost the builds that do not have the library nothing.
- A digest of the rules applied to each matched package, in that package's
  own key: a stamp file the overlay adds to the package (standard library,
  the user's own packages), or, where the go command refuses an overlay
  (the module cache) or builds only the files it was given (go build
  main.go), a marker among the package's -gcflags that the shim removes
  (a test's generated main package takes the -gcflags of the package
  under test: its marker goes there).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from otelgo import __version__
from otelgo.gocmd.flags import GoCommandLine, flags_for, quoted_join
from otelgo.gocmd.golist import GoEnv, Package
from otelgo.plan.generated import generated
from otelgo.resources import package_dir, templates_dir
from otelgo.ruleset.model import FileRule, Rule
from otelgo.toolexec.protocol import MARKER

STAMP_FILE = "otelgo_rules.go"

# The code of the compile side: what an instrumented compile runs and
# imports (tests/unit/test_cachekeys.py checks that nothing is missing).
_COMPILE_SIDE = (
    "toolexec",
    "splice",
    "gotemplate.py",
    "hookapi.py",
    "ruleset/model.py",
    "versions.py",
    "gocmd/importpath.py",
    "resources.py",
)
# In toolexec/ but run by no compile: it chooses the -toolexec command and
# builds the native shim, which hands every instrumented compile to shim.py.
_NOT_COMPILE_SIDE = ("toolexec/nativeshim.py",)


def instrumentation_token() -> str:
    h = hashlib.sha256(__version__.encode())
    files = []
    for part in _COMPILE_SIDE:
        path = package_dir() / part
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    files = [f for f in files if f.relative_to(package_dir()).as_posix() not in _NOT_COMPILE_SIDE]
    for path in [*files, *sorted(templates_dir().glob("*.j2"))]:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def rules_digest(rules: list[Rule]) -> str:
    """The rules applied to a package, and the contents of the files that
    file rules add."""
    data = json.dumps([r.to_dict() for r in rules], sort_keys=True).encode()
    for r in rules:
        if isinstance(r, FileRule):
            data += Path(r.File).read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def key_packages(
    keyed: dict[str, tuple[Package, str]],
    stampable,
    cmd: GoCommandLine,
    env: GoEnv,
    cwd: Path,
    by_path: dict[str, Package],
) -> tuple[dict[str, str], list[str]]:
    """For each package (import path -> (package, digest)): the overlay
    entries of the stamps, and the -gcflags flags carrying the markers."""
    overlay: dict[str, str] = {}
    markers: dict[str, tuple[Package, list[str]]] = {}
    for path, (pkg, digest) in sorted(keyed.items()):
        tested = by_path.get(path.removesuffix(".test")) if pkg.is_command and path.endswith(".test") else None
        if tested is not None:
            # A test's main package is generated and compiled with the
            # -gcflags of the package under test: the marker goes there.
            markers.setdefault(tested.import_path, (tested, []))[1].append(digest)
        elif stampable(pkg) and path != "command-line-arguments":
            overlay[str(pkg.dir / STAMP_FILE)] = str(generated("rules_stamp.go.j2", package=pkg.name, digest=digest))
        else:
            markers.setdefault(path, (pkg, []))[1].append(digest)
    user_gcflags = [*cmd.goflags_values(env.goflags, "gcflags"), *cmd.all_values("gcflags")]
    gcflags = []
    for path, (pkg, digests) in sorted(markers.items()):
        # The last -gcflags that matches a package wins: ours come last and
        # repeat what the user's would have given this package.
        flags = flags_for(user_gcflags, pkg, cwd)
        gcflags.append(f"-gcflags={path}={quoted_join([*flags, MARKER + '+'.join(digests)])}")
    return overlay, gcflags
