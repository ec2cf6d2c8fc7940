"""Function rules and CallContext, end to end: testdata/tricky's rules hook
functions of every hard shape; the hooks print what they see and change
parameters and results; the program prints what the calls returned."""

from __future__ import annotations

import subprocess

import harness
import pytest


@pytest.fixture(scope="module")
def tricky(tmp_path_factory, testdata):
    out = tmp_path_factory.mktemp("tricky") / "tricky"
    module = testdata / "tricky"
    harness.check_build(harness.otel_build(module, "--rules", str(module / "rules.json"), "-o", str(out), "."))
    return out


def run(binary, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"}),
    )


@pytest.fixture(scope="module")
def output(tricky) -> list[str]:
    proc = run(tricky)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_generic_function_hooks_see_params_and_results(output):
    assert "hook: Map enter example.com/tricky/lib.Map xs=[1 2]" in output
    assert "hook: Map exit [#1 #2]" in output
    assert "Map [#1 #2]" in output


def test_method_on_generic_type_carries_data_from_enter_to_exit(output):
    assert "hook: Push enter v=a" in output
    assert "hook: Push exit n=1 data=pushed a" in output


def test_value_receiver_and_replaced_parameter(output):
    assert "hook: Scale enter recv={1 2} k=2" in output
    assert "Scale {20 40}" in output  # k replaced by 20


def test_unnamed_parameters_and_replaced_result(output):
    assert 'hook: Unnamed enter 7 "x"' in output
    assert "Unnamed unnamed!" in output


def test_blank_parameters_and_results(output):
    assert 'hook: Blank enter 1 "blank" true' in output
    assert 'hook: Blank exit "BLANK" <nil>' in output
    assert "BLANK <nil>" in output


def test_variadic_parameter_is_a_slice_and_can_be_replaced(output):
    assert "hook: Sum enter base=1 xs=[2 3]" in output
    assert "Sum 106" in output  # 1+2+3+100


def test_several_unnamed_results(output):
    assert "hook: Div exit q=3 r=1 err=<nil> result2=<nil>" in output
    assert "3 1 <nil>" in output


def test_two_rules_on_one_function_run_in_order(output):
    first, second, exit_ = (
        output.index(line)
        for line in (
            'hook: Twice first "ab"',
            'hook: Twice second "ab"',
            'hook: Twice exit "abab"',
        )
    )
    assert first < second < exit_
    assert "Twice abab" in output


def test_skip_call_returns_the_hooks_results(output):
    assert "Expensive 81" in output
    assert "hook: Expensive exit 81" in output


def test_hook_panic_is_recovered_reported_once_and_the_call_goes_on(tricky, output):
    assert "Fragile 2 3" in output
    assert not any("Fragile exit" in line for line in output)
    stderr = run(tricky).stderr
    assert stderr.count("FragileEnter") == 1, stderr
    assert "panicked: fragile hook" in stderr


def test_parameter_replaced_before_the_body_runs(output):
    assert "Greet hello ann (via hook)" in output


def test_panic_in_instrumented_function_keeps_original_file_and_line(tricky, testdata):
    proc = run(tricky, "crash")
    assert proc.returncode == 2
    lib = testdata / "tricky" / "lib" / "lib.go"
    main = testdata / "tricky" / "main.go"
    assert f"{lib}:{harness.line_of(lib, 'the panic the test looks for')}" in proc.stderr
    assert f"{main}:{harness.line_of(main, 'lib.Crash()')}" in proc.stderr
    assert "hook: Crash enter" in proc.stdout


def test_rules_from_the_environment_like_from_the_flag(tmp_path, testdata):
    """OTELGO_RULES (for CI) adds rule files as --rules does."""
    module = testdata / "tricky"
    out = tmp_path / "tricky"
    harness.check_build(
        harness.otel_build(module, "-o", str(out), ".", env={"OTELGO_RULES": str(module / "rules.json")})
    )
    proc = run(out)
    assert "Greet hello ann (via hook)" in proc.stdout and "hook: Map exit [#1 #2]" in proc.stdout
