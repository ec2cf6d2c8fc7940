"""Matching rules to the packages of a build (otelgo/plan/match.py), on
packages as go list describes them: no go command runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from otelgo.gocmd.golist import GoEnv, Package
from otelgo.hookapi import GOROUTINE, SDK
from otelgo.plan.match import MAIN, hook_packages_for, leave_out_sdk_only, match_rules
from otelgo.ruleset.model import FunctionRule

ENV = GoEnv("go1.26.8", Path("/goroot"), "/src/go.mod", "", Path("/modcache"), Path("/cache"))


def pkg(path, version="", *, standard=False, name="lib", deps=(), dep_only=True) -> Package:
    module = "" if standard else "/".join(path.split("/")[:3])
    return Package(path, name, Path("/x") / path, standard, dep_only, module, version, deps=list(deps))


def rule(import_path, version=None, name="r", path="example.com/hooks", order=0) -> FunctionRule:
    return FunctionRule(
        Name=name, ImportPath=import_path, Function="F", OnEnter="E", Path=path, Version=version, Order=order
    )


@pytest.mark.parametrize(
    "version,applies",
    [
        ("v1.7.0", True),  # the inclusive low end
        ("v1.6.9", False),
        ("v1.10.99", True),
        ("v1.11.0", False),  # the exclusive high end
        ("v1.11.0-rc.1", True),  # a pre-release of the high end sorts below it
        ("v1.7.0-0.20200101000000-abcdefabcdef", False),  # a pseudo-version before v1.7.0
        ("v1.8.1-0.20240101000000-abcdefabcdef", True),  # one after v1.8.0
        ("v1.9.0+incompatible", True),
    ],
)
def test_range_edges(version, applies):
    m = match_rules([rule("example.com/lib/x", "[1.7.0,1.11.0)")], [pkg("example.com/lib/x", version)], ENV)
    assert ("example.com/lib/x" in m.applied) is applies
    if not applies:
        (skipped,) = m.skipped
        assert skipped.reason == f"version {version} is outside [1.7.0,1.11.0)"


def test_inclusive_high_end_and_exact_version():
    m = match_rules([rule("example.com/lib/x", "(1.0.0,2.0.0]")], [pkg("example.com/lib/x", "v2.0.0")], ENV)
    assert "example.com/lib/x" in m.applied
    m = match_rules([rule("example.com/lib/x", "(1.0.0,2.0.0]")], [pkg("example.com/lib/x", "v1.0.0")], ENV)
    assert "example.com/lib/x" not in m.applied
    m = match_rules([rule("example.com/lib/x", "[1.2.3]")], [pkg("example.com/lib/x", "v1.2.3")], ENV)
    assert "example.com/lib/x" in m.applied


def test_standard_library_matches_the_toolchain_version():
    rules = [rule("net/http", "[1.24.0,)", name="new"), rule("net/http", "[1.20.0,1.24.0)", name="old")]
    m = match_rules(rules, [pkg("net/http", standard=True)], ENV)
    assert [r.Name for r in m.applied["net/http"]] == ["new"]
    assert m.versions["net/http"] == "go1.26.8"
    assert [s.rule.Name for s in m.skipped] == ["old"]


def test_main_means_every_program_whatever_its_module_version():
    main = pkg("example.com/app/cmd/a", "", name="main", dep_only=False)
    m = match_rules([rule(MAIN, name="main")], [main, pkg("example.com/app/lib")], ENV)
    assert list(m.applied) == [MAIN]


def test_user_code_without_a_version_is_matched_whatever_the_range():
    user = pkg("example.com/app/internal/store", "", dep_only=False)
    m = match_rules([rule("example.com/app/internal/store", "[1.0.0,2.0.0)")], [user], ENV)
    assert "example.com/app/internal/store" in m.applied
    assert m.versions["example.com/app/internal/store"] == "(main module)"


def test_rules_of_one_package_run_in_order():
    rules = [rule("example.com/lib/x", name="b", order=2), rule("example.com/lib/x", name="a", order=1)]
    m = match_rules(rules, [pkg("example.com/lib/x", "v1.0.0")], ENV)
    assert [r.Name for r in m.applied["example.com/lib/x"]] == ["a", "b"]


def test_packages_of_no_rule_are_not_in_the_plan():
    m = match_rules([rule("example.com/lib/x")], [pkg("example.com/other", "v1.0.0")], ENV)
    assert m.applied == {} and m.skipped == []


def test_hook_packages_run_to_a_fixpoint():
    """The SDK's hook package links net/http; net/http's rules bring their
    own hook package, which a program that never imports net/http needs too."""
    command = pkg("example.com/app", name="main", dep_only=False, deps=["fmt"])
    packages = {
        "example.com/app": command,
        "fmt": pkg("fmt", standard=True),
        SDK: pkg(SDK, deps=["net/http"]),
        "net/http": pkg("net/http", standard=True),
        "otelgo.dev/rules/nethttp": pkg("otelgo.dev/rules/nethttp"),
    }
    m = match_rules([rule("net/http", path="otelgo.dev/rules/nethttp")], list(packages.values()), ENV)
    assert hook_packages_for(command, packages, m) == sorted([SDK, "otelgo.dev/rules/nethttp"])


def test_a_package_only_the_sdk_links_keeps_only_the_plumbing_rules():
    """grpc comes with the OTLP protocol packages: a program that does not
    import it gets no gRPC instrumentation; the SDK keeps its goroutine-context
    hooks; a program importing grpc keeps its rules, and a version skipped
    on a package no program links is not reported."""
    command = pkg("example.com/app", name="main", dep_only=False, deps=["net/http"])
    listed = [
        command,
        pkg("net/http", standard=True),
        pkg("google.golang.org/grpc", "v1.79.1"),
        pkg("go.opentelemetry.io/otel/sdk/trace", "v1.41.0"),
        pkg("github.com/go-logr/logr", "v1.4.3"),
    ]
    rules = [
        rule("net/http", path="otelgo.dev/rules/nethttp"),
        rule("google.golang.org/grpc", path="otelgo.dev/rules/grpc"),
        rule("google.golang.org/grpc", "[1.50.0,1.63.0)", name="old-dial", path="otelgo.dev/rules/grpc"),
        rule("go.opentelemetry.io/otel/sdk/trace", path=GOROUTINE),
        rule("go.opentelemetry.io/otel/sdk/trace", name="user", path="example.com/hooks"),
        rule("go.opentelemetry.io/otel/sdk/trace", name="handover", path="otelgo.dev/rules/nethttp"),
        rule("github.com/go-logr/logr", path="otelgo.dev/rules/logr"),
    ]
    m = match_rules(rules, listed, ENV)
    assert [s.package for s in m.skipped] == ["google.golang.org/grpc"]
    leave_out_sdk_only(m, [command])
    assert sorted(m.applied) == ["go.opentelemetry.io/otel/sdk/trace", "net/http"]
    # The SDK's packages keep the rules of hook packages linked for the
    # program's own packages (net/http's) too: every span starts there.
    sdk_rules = m.applied["go.opentelemetry.io/otel/sdk/trace"]
    assert [r.hook_package for r in sdk_rules] == [GOROUTINE, "otelgo.dev/rules/nethttp"]
    assert m.skipped == []
    using = pkg("example.com/app", name="main", dep_only=False, deps=["net/http", "google.golang.org/grpc"])
    m = match_rules(rules, [using, *listed[1:]], ENV)
    leave_out_sdk_only(m, [using])
    assert "google.golang.org/grpc" in m.applied and [s.package for s in m.skipped] == ["google.golang.org/grpc"]


def test_runtime_sensitive_packages_get_no_hook_calls():
    """Function rules on the runtime, what it imports and sync/atomic are
    skipped with the reason; raw rules there apply (the goroutine context's
    own rules are raw, struct and file rules on runtime)."""
    from otelgo.plan.match import SENSITIVE_REASON
    from otelgo.ruleset.model import RawRule

    packages = [
        pkg("runtime", standard=True, deps=["internal/abi", "unsafe"]),
        pkg("internal/abi", standard=True),
        pkg("sync/atomic", standard=True),
        pkg("strings", standard=True, deps=["internal/abi"]),
    ]
    raw = RawRule(Name="raw", ImportPath="runtime", Function="newproc1", Raw="_ = 1")
    rules = [rule(p, name=p) for p in ("runtime", "internal/abi", "sync/atomic", "strings")] + [raw]
    m = match_rules(rules, packages, ENV)
    assert {(s.package, s.reason) for s in m.skipped} == {
        (p, SENSITIVE_REASON) for p in ("runtime", "internal/abi", "sync/atomic")
    }
    assert m.applied == {"strings": [rules[3]], "runtime": [raw]}


def test_a_test_binary_links_the_hooks_of_its_package_under_test():
    """go list -test names the package under test, in the test binary, as
    "pkg [pkg.test]": its hook packages are linked all the same."""
    lib = pkg("example.com/app/lib", dep_only=False)
    test = pkg(
        "example.com/app/lib.test",
        name="main",
        deps=["example.com/app/lib [example.com/app/lib.test]", "testing"],
        dep_only=False,
    )
    m = match_rules([rule("example.com/app/lib", path="example.com/app/hooks")], [lib, test], ENV)
    assert hook_packages_for(test, {p.import_path: p for p in (lib, test)}, m) == ["example.com/app/hooks", SDK]
