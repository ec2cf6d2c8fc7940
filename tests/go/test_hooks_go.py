"""The Go unit tests of the hook packages (rules/), run with the real go test.

Package goroutine declares functions that only an otelgo build defines
(in package runtime, rules/goroutine/linkname.go); the build tag otelgo_stub
swaps in plain bodies for them (rules/goroutine/stub.go), so go vet and go
test run with -tags otelgo_stub."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import harness
import pytest

RULES = harness.REPO_ROOT / "rules"
STUB_TAG = "otelgo_stub"


def _go_modules(root: Path) -> list[Path]:
    """Every Go module under root, nested ones included (rules/zap/zapexport/go.mod),
    but none in a directory the go command ignores (testdata, _x, .x)."""
    found = []
    for gomod in root.rglob("go.mod"):
        parts = gomod.parent.relative_to(root).parts
        if any(p == "testdata" or p.startswith(("_", ".")) for p in parts):
            continue
        found.append(gomod.parent)
    return sorted(found)


MODULES = _go_modules(RULES)


@pytest.fixture(scope="module", autouse=True)
def semconv_copy():
    """go vet and go test read rules/internal/semconv from disk (otelgo
    builds add it through -overlay): made from the module cache, gitignored."""
    from otelgo.plan import semconvcopy

    return semconvcopy.install(RULES)


def _module_id(module: Path) -> str:
    rel = module.relative_to(RULES).as_posix()
    return "rules" if rel == "." else rel


def _go(module: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [harness.find_go(), *args], cwd=module, env=harness.clean_env(), capture_output=True, text=True, timeout=900
    )


def test_every_library_module_is_found():
    assert MODULES[0] == RULES
    assert {RULES / "gorm", RULES / "zap"} <= set(MODULES)


@pytest.fixture(scope="module")
def cut_copy_overlay(tmp_path_factory) -> Path:
    """The -overlay with which otelgo's builds add the semantic conventions
    copy, cut down to what the hooks use (otelgo/plan/semconvtrim.py)."""
    from otelgo.plan import semconvcopy

    cache = tmp_path_factory.mktemp("otelgo-cache")
    path = cache / "overlay.json"
    path.write_text(json.dumps({"Replace": semconvcopy.overlay(RULES, cache)}))
    return path


@pytest.mark.parametrize("module", MODULES, ids=_module_id)
def test_hook_module_passes_go_vet_and_go_test(module, cut_copy_overlay):
    for cmd in (
        ["vet", f"-tags={STUB_TAG}", "./..."],
        ["test", f"-tags={STUB_TAG}", "-count=1", "./..."],
        # As otelgo builds them: against the cut copy, which must hold all they use.
        ["build", f"-tags={STUB_TAG}", f"-overlay={cut_copy_overlay}", "./..."],
    ):
        proc = _go(module, *cmd)
        assert proc.returncode == 0, " ".join(cmd) + "\n" + proc.stdout + proc.stderr


def test_goroutine_stub_only_with_the_tag():
    """A build without the tag (every build otelgo makes) takes the
    declarations otelgo's runtime file defines, never the stub."""
    files = {}
    for tags in ([], [f"-tags={STUB_TAG}"]):
        proc = _go(RULES, "list", *tags, "-json", "./goroutine")
        assert proc.returncode == 0, proc.stderr
        pkg = json.loads(proc.stdout)
        files[bool(tags)] = set(pkg.get("GoFiles", [])) | set(pkg.get("SFiles", []))
    assert {"goroutine.go", "linkname.go", "goroutine.s"} <= files[False]
    assert "stub.go" not in files[False]
    assert {"goroutine.go", "stub.go"} <= files[True]
    assert "linkname.go" not in files[True]


def test_hook_packages_build_with_the_oldest_release_set(tmp_path):
    """otelgo builds a program whose dependencies are older than today's
    OpenTelemetry needs with an older release set (rules/otelsets.json):
    every hook package must build with the oldest one too, except those
    otelgo leaves out of such a build (a module the set lacks, a rule
    file's OpenTelemetry range). A library added with hooks that need a
    newer OpenTelemetry says so in its rule file's header."""
    from otelgo.plan import hookbuild, otelsets
    from otelgo.ruleset.load import builtin_rule_files, load_all

    oldest = otelsets.release_sets()[-1].core
    rules = load_all(builtin_rule_files())
    failed = hookbuild.build_hooks(oldest, tmp_path, rules)
    allowed = hookbuild.unbuildable(oldest, rules)
    unexpected = {pkg: why for pkg, why in failed.items() if pkg not in allowed}
    assert not unexpected, f"with OpenTelemetry {oldest}: {unexpected}"
