"""The OpenTelemetry release sets (otelgo/plan/otelsets.py,
rules/otelsets.json) and how a build chooses one (plan/modules.py),
without the go command: the table agrees with the hook modules, the
choice is the newest set that raises nothing, and the go.mod a hook module
shows the go command holds that set's releases."""

from __future__ import annotations

import re

from otelgo.hookapi import ROOT_MODULE, SDK_LOGS, SDK_LOGS_OTLPGRPC
from otelgo.plan import hookbuild, modules, otelsets
from otelgo.resources import rules_dir
from otelgo.ruleset.load import builtin_rule_files, load_all
from otelgo.versions import Version

CORE = otelsets.CORE
GRPC = "google.golang.org/grpc"
PROTOBUF = "google.golang.org/protobuf"


def test_the_newest_set_is_what_the_hook_modules_require():
    """Bumping OpenTelemetry in rules/go.mod without remaking the table
    (python -m otelgo.plan.otelsets) fails here."""
    newest = otelsets.release_sets()[0]
    for path, version in otelsets.hook_module_requirements().items():
        assert newest.modules.get(path) == version, (path, version, newest.modules.get(path))


def test_every_set_has_the_core_and_the_sdk_and_sets_go_newest_first():
    sets = otelsets.release_sets()
    cores = [Version.parse(s.core) for s in sets]
    assert cores == sorted(cores, reverse=True)
    assert sets[-1].core == otelsets.OLDEST_CORE
    for s in sets:
        assert s.modules[CORE] == s.core
        assert s.modules["go.opentelemetry.io/otel/sdk"] == s.core
        assert s.modules["go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"] == s.core
        # Every module another release of the set requires is at that version.
        for needs in s.requires.values():
            for path, version in needs.items():
                if path in s.modules:
                    assert not Version.parse(version) > Version.parse(s.modules[path]), (s.core, path)


def _setup(build_list: dict[str, str]) -> modules.ModuleSetup:
    root = [modules.hook_modules()[0]]
    setup = modules.ModuleSetup(hook_modules=root, build_list=build_list)
    modules.choose_release_set(setup, modules.hook_packages_of(load_all(builtin_rule_files()), root))
    return setup


def test_a_build_without_those_modules_gets_the_newest_set():
    setup = _setup({"example.com/unrelated": "v1.0.0"})
    assert setup.candidates[0] == otelsets.release_sets()[0]


def test_an_older_grpc_gets_the_newest_set_that_leaves_it_as_it_is():
    build_list = {GRPC: "v1.64.0", "golang.org/x/net": "v0.22.0", "golang.org/x/sys": "v0.18.0"}
    setup = _setup(build_list)
    chosen = setup.candidates[0]
    assert Version.parse(chosen.core) < Version.parse(otelsets.release_sets()[0].core)
    assert not chosen.conflicts(build_list, _in_use())
    newer = [s for s in otelsets.release_sets() if Version.parse(s.core) > Version.parse(chosen.core)]
    assert all(s.conflicts(build_list, _in_use()) for s in newer)


def test_the_users_own_opentelemetry_counts_too():
    setup = _setup({CORE: "v1.28.0", "go.opentelemetry.io/otel/sdk": "v1.28.0"})
    assert not Version.parse(setup.candidates[0].core) > Version.parse("v1.28.0")


def test_a_newer_core_than_every_set_gets_the_newest_set_to_follow():
    setup = _setup({CORE: "v9.0.0"})
    assert setup.candidates == [otelsets.release_sets()[0]]


def test_older_than_every_set_fits_the_oldest_to_the_build_list():
    """gRPC and x/net older than any set's requirements: the oldest set,
    to be built against them (plan/fitted.py), with what it needs of
    OpenTelemetry."""
    setup = _setup({GRPC: "v1.56.3", "golang.org/x/net": "v0.9.0"})
    oldest = otelsets.release_sets()[-1]
    assert setup.candidates == [oldest] and setup.fitting
    assert set(oldest.conflicts(setup.build_list, _in_use())) >= {GRPC, "golang.org/x/net"}
    assert set(setup.choices[oldest.core].in_use) >= _in_use()


def test_an_opentelemetry_older_than_every_set_names_only_itself():
    """The program's own OpenTelemetry is never lowered: no set, and the
    conflicts name the OpenTelemetry modules only (the rest would be
    fitted once they are newer)."""
    setup = _setup({CORE: "v1.19.0", GRPC: "v1.56.3", "golang.org/x/net": "v0.9.0"})
    assert setup.candidates == [] and not setup.fitting
    assert setup.conflicts == {CORE: otelsets.OLDEST_CORE}


def test_test_only_modules_do_not_rule_a_set_out():
    setup = _setup({"github.com/stretchr/testify": "v1.0.0"})
    assert setup.candidates[0] == otelsets.release_sets()[0]


def _in_use() -> set[str]:
    """What the SDK bootstrap needs: what rules a set out."""
    return modules._mandatory_modules()


def test_a_hook_modules_go_mod_for_a_set(monkeypatch):
    """OpenTelemetry modules at the set's releases (none where the set has
    no release), no indirect requirement, no module the user has."""
    oldest = otelsets.release_sets()[-1]
    text = modules._gomod_for_set(rules_dir() / "grpc" / "go.mod", oldest, {GRPC: "v1.64.0"})
    required = dict(re.findall(r"^require (\S+) (\S+)$", text, re.MULTILINE))
    assert required[CORE] == oldest.core
    assert GRPC not in required
    assert required[ROOT_MODULE] == "v0.0.0"
    assert "// indirect" not in text
    assert re.search(r'^replace otelgo.dev/rules => ".*rules"$', text, re.MULTILINE), text


def test_protobuf_only_otelgo_brings_is_raised_past_its_method_elimination_bug():
    """The root hook module asks for protobuf v1.36.12 where the program has
    no protobuf; where it has one, its version is the one selected."""
    oldest = otelsets.release_sets()[-1]
    root = rules_dir() / "go.mod"
    required = dict(re.findall(r"^require (\S+) (\S+)$", modules._gomod_for_set(root, oldest, {}), re.MULTILINE))
    assert required[PROTOBUF] == "v1.36.12"
    theirs = modules._gomod_for_set(root, oldest, {PROTOBUF: "v1.33.0"})
    assert PROTOBUF not in dict(re.findall(r"^require (\S+) (\S+)$", theirs, re.MULTILINE))
    # A library's hook module leaves it to the root one.
    assert PROTOBUF not in modules._gomod_for_set(rules_dir() / "grpc" / "go.mod", oldest, {})


def test_a_package_the_set_cannot_build_is_left_out_not_the_set():
    """A program on OpenTelemetry v1.28 and gRPC 1.64 gets v1.28.0, whose
    exporters need no more, without log export over OTLP/gRPC, whose
    exporter has no release for v1.28.0 (log export over OTLP/HTTP stays);
    its module is not required then."""
    build_list = {CORE: "v1.28.0", GRPC: "v1.64.0", "golang.org/x/net": "v0.26.0", "golang.org/x/sys": "v0.21.0"}
    setup = _setup(build_list)
    assert setup.candidates[0].core == "v1.28.0"
    choice = setup.choices["v1.28.0"]
    assert "otlploggrpc, which OpenTelemetry v1.28.0 does not have" in choice.unavailable[SDK_LOGS_OTLPGRPC]
    assert SDK_LOGS not in choice.unavailable
    assert "go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc" not in choice.in_use
    assert "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc" in choice.in_use


def test_a_package_whose_releases_would_raise_a_module_is_left_out():
    newest = otelsets.release_sets()[0]
    logs = "go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
    requires = {**newest.requires, logs: {**newest.requires[logs], GRPC: "v1.99.0"}}
    s = otelsets.ReleaseSet(newest.core, newest.modules, requires)
    choice = modules.evaluate(s, {GRPC: "v1.80.0"}, {SDK_LOGS_OTLPGRPC: None})
    assert choice.unavailable[SDK_LOGS_OTLPGRPC] == (
        f"what it needs of OpenTelemetry {newest.core} requires {GRPC} v1.99.0, and this build has v1.80.0"
    )
    assert logs not in choice.in_use


def test_packages_an_old_set_cannot_build_are_left_out():
    oldest = otelsets.release_sets()[-1]
    out = hookbuild.unbuildable(oldest.core, load_all(builtin_rule_files()))
    assert SDK_LOGS in out  # no log SDK in v1.24.0
    assert f"{ROOT_MODULE}/slog" in out
    assert f"{ROOT_MODULE}/nethttp" not in out and f"{ROOT_MODULE}/sdk" not in out
    newest = otelsets.release_sets()[0]
    assert not hookbuild.unbuildable(newest.core, load_all(builtin_rule_files()))
