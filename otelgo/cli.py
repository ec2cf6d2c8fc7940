"""The `otel` command."""

from __future__ import annotations

import os
import shutil
import sys

import click

from otelgo import __version__

INSTRUMENTED = ("build", "install")

GO_HELP = """\
Usage: otel go build|install [otelgo flags] [go build flags] [packages]
       otel go COMMAND [args]   (any other go command runs unchanged)

Builds like `go build` / `go install`, with OpenTelemetry instrumentation
spliced in at compile time. Every go flag is passed through untouched, and
GOOS, GOARCH, CGO_ENABLED and GOFLAGS are honoured. The source tree is never
written to.

otelgo flags (double dash):
  --rules FILE   add the rules in FILE (repeatable; also OTELGO_RULES, a
                 list of files separated by the OS path separator)

The program is configured at run time by the standard OTEL_* variables:
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER,
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
OTEL_PROPAGATORS, OTEL_SDK_DISABLED.
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
    """Run a go command; build and install come out instrumented."""
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
    from otelgo import build, goflags, golist, modfile, plan, rules

    try:
        cmd = goflags.parse(subcommand, rest)
        return build.run(cmd)
    except rules.RuleError as e:
        for problem in e.problems:
            click.echo(f"otel: {problem}", err=True)
        click.echo("otel: no package was compiled; fix the rules above and build again", err=True)
        return 2
    except goflags.UsageError as e:
        _fail(str(e), 2)
    except golist.GoCommandError as e:
        click.echo(str(e), err=True)
        return e.returncode
    except (modfile.ModuleError, plan.PlanError) as e:
        _fail(str(e), 1)
    return 1


def _fail(message: str, code: int) -> None:
    click.echo(f"otel: {message}", err=True)
    sys.exit(code)
