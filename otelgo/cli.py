"""The `otel` command."""

from __future__ import annotations

import os
import shutil
import sys

import click

from otelgo import __version__

INSTRUMENTED = ("build", "install", "run", "test")

GO_HELP = """\
Usage: otel go build|install|run|test [otelgo flags] [go flags] [packages] [args]
       otel go COMMAND [args]   (any other go command runs unchanged)

Builds like `go build` / `go install` / `go run` / `go test`, with
OpenTelemetry instrumentation spliced in at compile time (test binaries
export spans too). Every go flag is passed through untouched, and
GOOS, GOARCH, CGO_ENABLED and GOFLAGS are honoured. The source tree is never
written to.

otelgo flags (double dash):
  --rules FILE   add the rules in FILE (repeatable; also OTELGO_RULES, a
                 list of files separated by the OS path separator)
  --explain      say for every rule where it applies, or why not

The program is configured at run time by the standard OTEL_* variables:
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER,
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
OTEL_PROPAGATORS, OTEL_SDK_DISABLED (all hooks off too), and
OTELGO_DISABLED_INSTRUMENTATIONS (hook packages to switch off, by name:
nethttp,databasesql).
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="otel", message="%(prog)s (otelgo) %(version)s")
def main() -> None:
    """Build Go programs with OpenTelemetry instrumentation spliced in."""


@main.command(
    "go",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def go_command(args: tuple[str, ...]) -> None:
    """Run a go command; build, install, run and test come out instrumented."""
    if not args or args[0] in ("-h", "--help", "help"):
        click.echo(GO_HELP)
        return
    if shutil.which("go") is None:
        _fail("no `go` command on PATH: install Go 1.24 or newer (https://go.dev/doc/install)", 127)
    subcommand, rest = args[0], list(args[1:])
    if subcommand not in INSTRUMENTED:
        os.execvp("go", ["go", subcommand, *rest])
    sys.exit(_instrumented(subcommand, rest))


def _instrumented(subcommand: str, rest: list[str]) -> int:
    # Imported here: `otel --version` and pass-through commands stay quick.
    from otelgo import driver
    from otelgo.gocmd import flags, golist
    from otelgo.plan import modules, plan
    from otelgo.ruleset.syntax import RuleError

    try:
        cmd = flags.parse(subcommand, rest)
        return driver.run(cmd)
    except RuleError as e:
        for problem in e.problems:
            click.echo(f"otel: {problem}", err=True)
        click.echo("otel: no package was compiled; fix the rules above and build again", err=True)
        return 2
    except flags.UsageError as e:
        _fail(str(e), 2)
    except golist.GoCommandError as e:
        click.echo(str(e), err=True)
        return e.returncode
    except (modules.ModuleError, plan.PlanError) as e:
        _fail(str(e), 1)
    return 1


def _fail(message: str, code: int) -> None:
    for line in message.splitlines() or [""]:  # every line says whose it is
        click.echo(f"otel: {line}", err=True)
    sys.exit(code)


@main.group("rules")
def rules_group() -> None:
    """List and check instrumentation rules."""


@rules_group.command("list")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Also list the rules in this file (repeatable).",
)
def rules_list(rule_files: tuple[str, ...]) -> None:
    """Show the built-in rules (and yours) with their version ranges."""
    from rich.console import Console
    from rich.table import Table

    from otelgo.ruleset import load
    from otelgo.ruleset.model import FunctionRule
    from otelgo.ruleset.syntax import RuleError

    try:
        loaded = load.load_all(load.builtin_rule_files() + load.user_rule_files(rule_files))
    except RuleError as e:
        _fail("\n".join(e.problems), 2)
    table = Table("Name", "Package", "Target", "Version", "Hook", box=None, pad_edge=False)
    for rule in sorted(loaded, key=lambda r: (r.ImportPath, r.Name or "")):
        hook = ""
        if isinstance(rule, FunctionRule):
            hook = " ".join(f"{rule.Path}.{h}" for h in (rule.OnEnter, rule.OnExit) if h)
        table.add_row(rule.Name or "", rule.ImportPath, f"{rule.Kind} {rule.target}", rule.Version or "any", hook)
    console = Console()
    if not console.is_terminal:
        console = Console(width=10_000)  # a pipe or a log: never cut a cell
    console.print(table)


@rules_group.command("dir")
def rules_dir_command() -> None:
    """Print the directory of the built-in rules and the hook module
    otelgo.dev/rules (for a `replace` in your own hooks module's go.mod)."""
    from otelgo.resources import rules_dir

    click.echo(rules_dir())


@rules_group.command("libraries")
def rules_libraries() -> None:
    """Print the table of built-in instrumented libraries (Markdown; the
    README's table is this output)."""
    from otelgo.ruleset.load import builtin_rule_files, load_all
    from otelgo.ruleset.table import library_table

    click.echo(library_table(load_all(builtin_rule_files())), nl=False)


@rules_group.command("schema")
def rules_schema() -> None:
    """Print the JSON schema of rule files (shipped as rules/schema.json;
    a rule file's "$schema" may point at it, so that editors check it)."""
    import json

    from otelgo.ruleset.validate import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@rules_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def rules_check(files: tuple[str, ...]) -> None:
    """Validate rule files; every problem is named by file, rule and field.

    Hook signatures are checked against their targets by `otel go build`,
    before anything is compiled."""
    from pathlib import Path

    from otelgo.ruleset.load import load_file
    from otelgo.ruleset.syntax import RuleError

    problems = []
    for f in files:
        try:
            n = len(load_file(Path(f)))
            click.echo(f"{f}: {n} rule{'s' * (n != 1)}, valid")
        except RuleError as e:
            problems += e.problems
    for p in problems:
        click.echo(f"otel: {p}", err=True)
    sys.exit(2 if problems else 0)


# The modules `otel view` needs beyond the base install (the `view` extra).
VIEW_DEPENDENCIES = ("grpc", "google", "opentelemetry")


@main.command("view", context_settings={"allow_interspersed_args": False})
@click.option(
    "--http-port",
    type=click.IntRange(0, 65535),
    default=4318,
    show_default=True,
    help="Port of the OTLP/HTTP receiver (protobuf or JSON); 0: any free port.",
)
@click.option(
    "--grpc-port",
    type=click.IntRange(0, 65535),
    default=4317,
    show_default=True,
    help="Port of the OTLP/gRPC receiver; 0: none.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address the receivers listen on; another than loopback shows this machine's traces to the network.",
)
@click.option("--traces", type=click.IntRange(min=1), metavar="N", help="Exit after showing N traces.")
@click.option("--once", is_flag=True, help="Exit after showing one trace (--traces 1).")
@click.option(
    "--idle",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="A trace is finished when its root span has arrived and nothing of it for this long.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per trace instead of the tree.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def view_command(
    http_port: int,
    grpc_port: int,
    host: str,
    traces: int | None,
    once: bool,
    idle: float,
    as_json: bool,
    command: tuple[str, ...],
) -> None:
    """Receive OTLP on localhost and show each finished trace as a tree.

    It listens on 127.0.0.1 only, unless --host names another address.

    A local stand-in for a collector: point a program at it with
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (or grpc on 4317).
    With a COMMAND (after --), runs it pointed at the viewer and exits with
    its status once it has exited and its traces are shown:

        otel view -- ./app
    """
    try:
        from otelgo.view import app as view
    except ImportError as e:
        if (e.name or "").split(".")[0] not in VIEW_DEPENDENCIES:
            raise
        _fail("`otel view` needs opentelemetry-proto and grpcio: pip install 'otelgo[view]'", 1)
    opts = view.ViewOptions(
        http_port=http_port,
        grpc_port=grpc_port,
        traces=1 if once else traces,
        idle=idle,
        json=as_json,
        command=command,
        host=host,
    )
    sys.exit(view.run(opts))
