"""The `otel` command's subcommands (click). otelgo/cli.py runs `otel go
build|install|run|test` without them, and hands everything else here."""

from __future__ import annotations

import os
import shutil
import sys

import click

from otelgo import __version__, instrumented

GO_HELP = """\
Usage: otel go build|install|run|test [otelgo flags] [go flags] [packages] [args]
       otel go COMMAND [args]   (any other go command runs unchanged)

Builds like `go build` / `go install` / `go run` / `go test`, with
OpenTelemetry instrumentation spliced in at compile time (test binaries
export spans too). Every go flag is passed through untouched, and
GOOS, GOARCH, CGO_ENABLED and GOFLAGS are honoured. The source tree is never
written to. Every form of the go command line works: .go files, patterns,
-C dir, a main package of a required module by its import path, and
`otel go install|run pkg@version` (the module at that version as the main
module, as the go command builds it).

otelgo flags (double dash):
  --rules FILE        add the rules in FILE (repeatable; also OTELGO_RULES, a
                      list of files separated by the OS path separator)
  --without A,B       leave instrumentations A and B out of the binary
                      (nethttp, databasesql, goredis, ...; repeatable)
  --exporters A,B     the exporters the SDK bootstrap links, besides otlp
                      (http/protobuf): otlp-grpc (linked anyway into
                      programs that use gRPC), console, prometheus
  --allow-upgrades    build even when the instrumentation needs a newer
                      version of a module your build has (gRPC, x/net, ...);
                      the summary lists each change. Without it such a build
                      stops before compiling, with exit status 2
  --explain           say for every rule where it applies, or why not
  --show-injected[=PKG]  print the diff of each instrumented package's
                      sources (or of PKG's) against the originals, on stdout
  --injected-dir DIR  write the spliced files and trampolines under DIR
  -q, --json          no summary; the summary as JSON on stdout

An otelgo.toml beside go.mod may hold rules, without, exporters and
allow-upgrades; flags override it (`otel config` shows the result).

The program is configured at run time by the standard OTEL_* variables:
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER,
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
OTEL_PROPAGATORS, OTEL_SDK_DISABLED (all hooks off too),
OTEL_GO_ENABLED_INSTRUMENTATIONS (only these, by name: nethttp,databasesql),
OTEL_GO_DISABLED_INSTRUMENTATIONS (or OTELGO_DISABLED_INSTRUMENTATIONS: all
but these) and OTEL_GO_HTTP_SERVER_EXCLUDED_PATHS (/healthz,/debug/*).
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
        instrumented.fail(instrumented.NO_GO, 127)
    subcommand, rest = args[0], list(args[1:])
    if subcommand not in instrumented.SUBCOMMANDS:
        os.execvp("go", ["go", subcommand, *rest])
    sys.exit(instrumented.run(subcommand, rest))


@main.command(
    "diff",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def diff_command(args: tuple[str, ...]) -> None:
    """otel diff [otelgo flags] [go build flags] [PKG]: print the unified
    diff of what an instrumented build of the module's packages (./...)
    compiles into PKG (an import path, a pattern with ..., or main; all
    instrumented packages without one) against its sources. Builds nothing;
    --injected-dir DIR also writes the files."""
    if args and args[0] in ("-h", "--help", "help"):
        click.echo(diff_command.__doc__)
        return
    if shutil.which("go") is None:
        instrumented.fail(instrumented.NO_GO, 127)
    sys.exit(instrumented.run("build", list(args), plan_only=True))


@main.command(
    "toolexec-flags",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def toolexec_flags_command(args: tuple[str, ...]) -> None:
    """otel toolexec-flags [--test] [--env] [otelgo flags] [go build flags] [packages]

    For build systems that can only run the go command: plans the
    instrumented build of the packages given (default .) once and prints
    the GOFLAGS value with which a plain `go build` (or `go test`, with
    --test) of those packages builds them instrumented:

        GOFLAGS="$(otel toolexec-flags ./cmd/app)" go build -o app ./cmd/app

    --env prints `export NAME=value` lines instead (GOFLAGS, and GOWORK in a
    workspace), for eval. Plan again after go.mod, go.sum or go.work
    change: until then the build refuses to run."""
    if args and args[0] in ("-h", "--help", "help"):
        click.echo(toolexec_flags_command.__doc__)
        return
    import shlex

    from otelgo import config, driver
    from otelgo.gocmd import flags, golist
    from otelgo.plan import modules, plan
    from otelgo.resources import CacheDirError
    from otelgo.ruleset.syntax import RuleError

    rest = list(args)
    as_env = "--env" in rest
    subcommand = "test" if "--test" in rest else "build"
    rest = [a for a in rest if a not in ("--env", "--test")]
    try:
        goflags, env = driver.toolexec_flags(flags.parse(subcommand, rest))
    except RuleError as e:
        instrumented.fail("\n".join(e.problems), 2)
    except (config.ConfigError, flags.UsageError) as e:
        instrumented.fail(str(e), 2)
    except golist.GoCommandError as e:
        instrumented.fail(str(e), e.returncode)
    except (modules.ModuleError, plan.PlanError, CacheDirError) as e:
        instrumented.fail(str(e), 1)
    if not as_env:
        if env:
            instrumented.fail(f"this build also needs {', '.join(env)} in its environment: use --env", 2)
        click.echo(goflags)
        return
    for name, value in {"GOFLAGS": goflags, **env}.items():
        click.echo(f"export {name}={shlex.quote(value)}")


@main.command(
    "config",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.option("--json", "as_json", is_flag=True, help="Print the configuration as JSON.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def config_command(as_json: bool, args: tuple[str, ...]) -> None:
    """Print otelgo's effective configuration for the module here (its
    otelgo.toml, then the otelgo flags given: --rules, --without,
    --exporters, --allow-upgrades) and where each value came from."""
    import json

    from otelgo import config
    from otelgo.gocmd import flags, golist
    from otelgo.ruleset.load import builtin_rule_files

    try:
        cmd = flags.parse("build", list(args))
        effective = config.effective(cmd, golist.go_env(os.getcwd() if "C" not in cmd.values else cmd.values["C"]))
    except (config.ConfigError, flags.UsageError) as e:
        instrumented.fail(str(e), 2)
    except golist.GoCommandError as e:
        instrumented.fail(str(e), e.returncode)
    if as_json:
        settings = {
            "without": effective.without,
            "exporters": effective.exporters,
            "allow-upgrades": effective.allow_upgrades,
        }
        data = {
            "file": str(effective.file) if effective.file else None,
            "rules": [{"file": str(p), "source": where} for p, where in effective.rule_files],
            **{key: {"value": s.value, "source": s.source} for key, s in settings.items()},
        }
        click.echo(json.dumps(data, indent=1))
        return
    for line in config.describe(effective, len(builtin_rule_files())):
        click.echo(line)


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
        instrumented.fail("\n".join(e.problems), 2)
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


@rules_group.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
def rules_init(directory: str) -> None:
    """Write a hooks module into DIRECTORY, inside your Go module: go.mod and
    go.sum (otelgo.dev/rules replaced by this installation), rules.json with
    one example rule on a function of your own code, its hooks (a span
    around the function) and their Go test. It builds, tidies, vets and
    tests as written; then `otel go build --rules DIRECTORY/rules.json`."""
    from pathlib import Path

    from otelgo import scaffold
    from otelgo.gocmd.golist import GoCommandError

    try:
        lines = scaffold.init(Path(directory), Path(os.getcwd()))
    except (scaffold.ScaffoldError, GoCommandError) as e:
        instrumented.fail(str(e), 1)
    for line in lines:
        click.echo(line)


@rules_group.command("dir")
def rules_dir_command() -> None:
    """Print the directory of the built-in rules and the hook module
    otelgo.dev/rules (for a `replace` in your own hooks module's go.mod)."""
    from otelgo.resources import rules_dir

    click.echo(rules_dir())


@rules_group.command("libraries")
@click.option(
    "--update",
    "update",
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Write the table into FILE between its markers (README.md) instead of printing it.",
)
def rules_libraries(update: str | None) -> None:
    """Print the table of built-in instrumented libraries (Markdown; the
    README's table is this output)."""
    from pathlib import Path

    from otelgo.ruleset.load import builtin_rule_files, load_all
    from otelgo.ruleset.table import BEGIN, END, library_table

    table = library_table(load_all(builtin_rule_files()))
    if update is None:
        click.echo(table, nl=False)
        return
    text = Path(update).read_text()
    if BEGIN not in text or END not in text:
        instrumented.fail(f"{update} has no markers {BEGIN} ... {END}", 1)
    head, rest = text.split(BEGIN, 1)
    Path(update).write_text(head + BEGIN + "\n" + table + END + rest.split(END, 1)[1])


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
        instrumented.fail("`otel view` needs opentelemetry-proto and grpcio: pip install 'otelgo[view]'", 1)
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
