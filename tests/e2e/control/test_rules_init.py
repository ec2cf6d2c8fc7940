"""`otel rules init DIR` scaffolds a hooks module that builds, tidies, vets
and tests as written, whose rule file `otel rules check` passes, and whose
example rule traces a function of the user's own code when the program is
built with it: on testdata/examples/ownspan (its own hooks module left out)
and on a program with only package main."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request

import harness

OWNSPAN = harness.TESTDATA / "examples" / "ownspan"


def otel(*args, cwd):
    return harness.otel(*args, cwd=cwd)


def go(*args, cwd):
    return subprocess.run(
        [harness.find_go(), *args], cwd=cwd, env=harness.clean_env(), capture_output=True, text=True, timeout=900
    )


def scaffold(module):
    made = otel("rules", "init", "otelhooks", cwd=module)
    assert made.returncode == 0, made.stderr
    hooks = module / "otelhooks"
    assert sorted(p.name for p in hooks.iterdir()) == ["go.mod", "go.sum", "hooks.go", "hooks_test.go", "rules.json"]
    before = {p.name: p.read_bytes() for p in hooks.iterdir()}
    for args in (["build", "./..."], ["vet", "./..."], ["test", "-count=1", "./..."], ["mod", "tidy"]):
        proc = go(*args, cwd=hooks)
        assert proc.returncode == 0, f"go {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    assert {p.name: p.read_bytes() for p in hooks.iterdir()} == before  # tidy as written
    gofmt = go("fmt", "./...", cwd=hooks)
    assert gofmt.returncode == 0 and gofmt.stdout == "", gofmt.stdout
    checked = otel("rules", "check", "otelhooks/rules.json", cwd=module)
    assert checked.returncode == 0 and checked.stdout == "otelhooks/rules.json: 1 rule, valid\n", checked.stderr
    return made.stdout


def test_rules_init_in_a_module_with_packages(tmp_path, receiver):
    module = tmp_path / "shop"
    shutil.copytree(OWNSPAN, module, ignore=shutil.ignore_patterns("otelhooks"))
    said = scaffold(module)
    assert "rules.json: a rule with a span around Quote in example.com/shop/pricing" in said
    assert "build with it: otel go build --rules otelhooks/rules.json ./..." in said
    binary = tmp_path / "shop-bin"
    built = harness.check_build(harness.otel_build(module, "--rules", "otelhooks/rules.json", "-o", str(binary), "."))
    assert "example.com/shop/pricing (main module): Quote" in built.stderr
    with harness.TargetServer() as prices:
        with harness.run_program(
            binary,
            env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                "PRICES_URL": prices.url,
            },
        ) as prog:
            try:
                urllib.request.urlopen(prog.url + "/quote?item=apple", timeout=30)
            except urllib.error.HTTPError as e:
                assert e.code == 502  # the fake price list answers "pong", not a price
        spans = receiver.wait_for_spans(lambda s: {"SERVER", "CLIENT", "INTERNAL"} <= {x.kind for x in s})
    server = next(s for s in spans if s.kind == "SERVER")
    quote = next(s for s in spans if s.kind == "INTERNAL")
    client = next(s for s in spans if s.kind == "CLIENT")
    assert quote.name == "pricing.Quote" and quote.scope_name == "example.com/shop/otelhooks"
    assert quote.parent_span_id == server.span_id and client.parent_span_id == quote.span_id
    assert quote.status_code == "ERROR"  # strconv.Atoi("pong") failed


def test_rules_init_in_a_program_without_packages(tmp_path):
    module = tmp_path / "greet"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/greet\n\ngo 1.24\n")
    (module / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nfunc greet(name string) string { return "hi " + name }\n\n'
        'func main() { fmt.Println(greet("gopher")) }\n'
    )
    said = scaffold(module)
    assert "rules.json: a rule with a span around greet in package main" in said
    binary = tmp_path / "greet-bin"
    # The hooks of a function of package main get any for every type.
    harness.check_build(
        harness.otel_build(
            module, "--rules", "otelhooks/rules.json", "--exporters", "otlp,console", "-o", str(binary), "."
        )
    )
    run = subprocess.run(
        [str(binary)],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "none"}),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("hi gopher\n") and '{"Name":"main.greet",' in run.stdout


def test_rules_init_refuses_a_directory_in_use(tmp_path):
    module = tmp_path / "shop"
    shutil.copytree(OWNSPAN, module)
    refused = otel("rules", "init", "otelhooks", cwd=module)
    assert refused.returncode == 1
    assert f"otel: {module / 'otelhooks'} exists and is not empty: choose a new directory" in refused.stderr
