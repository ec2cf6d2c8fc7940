"""The go command line as otelgo reads it (otelgo/gocmd/flags.py): flags
pass through untouched and in order; otelgo's own are taken out."""

from __future__ import annotations

from pathlib import Path

import pytest

from otelgo.gocmd.flags import GoCommandLine, UsageError, flags_for, parse, quoted_join, quoted_split
from otelgo.gocmd.golist import Package


def test_flags_values_and_packages():
    cmd = parse("build", ["-o", "out", "-tags=a,b", "-race", "-ldflags", "-s -w", "./cmd/x", "./cmd/y"])
    assert cmd.flags == ["-o", "out", "-tags=a,b", "-race", "-ldflags", "-s -w"]
    assert cmd.values == {"o": "out", "tags": "a,b", "race": "true", "ldflags": "-s -w"}
    assert cmd.packages == ["./cmd/x", "./cmd/y"]
    assert cmd.plan_flags() == ["-tags=a,b", "-race=true"]


def test_otelgo_flags_are_taken_out():
    cmd = parse("build", ["--rules", "a.json", "--rules=b.json", "--explain", "--json", "-q", "-json", "."])
    assert cmd.rule_files == ["a.json", "b.json"]
    assert cmd.explain and cmd.summary_json and cmd.quiet
    assert cmd.flags == ["-json"]  # one dash: the go command's own -json


def test_toolexec_is_refused():
    with pytest.raises(UsageError, match="-toolexec cannot be combined"):
        parse("build", ["-toolexec", "x", "."])


def test_a_value_flag_without_its_value_is_a_usage_error():
    with pytest.raises(UsageError, match="flag -o needs a value"):
        parse("build", ["-o"])


@pytest.mark.parametrize(
    "args,packages,rest",
    [
        (["main.go", "util.go", "arg1", "-v"], ["main.go", "util.go"], ["arg1", "-v"]),
        ([".", "serve", "--port", "8"], ["."], ["serve", "--port", "8"]),
        (["-race", "./cmd/app"], ["./cmd/app"], []),
    ],
)
def test_go_run_stops_at_the_program(args, packages, rest):
    cmd = parse("run", args)
    assert (cmd.packages, cmd.rest) == (packages, rest)


def test_double_dash_ends_the_flags():
    cmd = parse("build", ["-v", "--", "-weird-dir"])
    assert cmd.flags == ["-v"] and cmd.packages == ["-weird-dir"]


def test_without_drops_flags_and_their_values():
    cmd = parse("build", ["-modfile", "x.mod", "-overlay=o.json", "-v", "."])
    assert cmd.without("modfile", "overlay") == ["-v"]


@pytest.mark.parametrize(
    "args, goflags, expected",
    [
        (["."], "", "-tags=grpcnotrace"),
        (["-tags", "a b", "."], "", "-tags=a,b,grpcnotrace"),  # space-separated, as go still reads it
        (["-tags=a,,b", "-tags=c", "."], "-tags=g", "-tags=c,grpcnotrace"),  # the last one wins
        (["."], "-x -tags=g,h", "-tags=g,h,grpcnotrace"),  # GOFLAGS' where the command line has none
        (["-tags=grpcnotrace", "."], "", "-tags=grpcnotrace"),
    ],
)
def test_tags_added_to_the_users(args, goflags, expected):
    assert parse("build", args).tags_with(goflags, ("grpcnotrace",)) == expected


def test_every_value_of_a_repeated_flag_in_order():
    cmd = parse("build", ["-gcflags=all=-N", "-v", "-gcflags", "example.com/x=-m", "."])
    assert cmd.all_values("gcflags") == ["all=-N", "example.com/x=-m"]
    assert GoCommandLine.goflags_values("-mod=mod -gcflags=std=-l '-ldflags=-s -w'", "gcflags") == ["std=-l"]


def test_a_flag_left_out_of_goflags_and_the_command_line():
    assert GoCommandLine.goflags_without("-mod=mod -trimpath '-ldflags=-s -w' --mod=vendor", "mod") == (
        "-trimpath '-ldflags=-s -w'"
    )
    assert GoCommandLine.goflags_without("-trimpath 'unterminated", "mod") == "-trimpath 'unterminated"
    cmd = parse("run", ["-mod=vendor", "-v", "-mod", "mod", "main.go", "arg"]).dropping("mod")
    assert (cmd.flags, cmd.values, cmd.packages, cmd.rest) == (["-v"], {"v": "true"}, ["main.go"], ["arg"])


def _pkg(path, *, standard=False, dep_only=True, directory=None):
    return Package(path, "p", Path(directory or f"/m/{path}"), standard, dep_only)


@pytest.mark.parametrize(
    "values,package,expected",
    [
        ([], _pkg("example.com/a"), []),
        (["all=-N -l"], _pkg("example.com/a"), ["-N", "-l"]),
        (["std=-l"], _pkg("net/http", standard=True), ["-l"]),
        (["std=-l"], _pkg("example.com/a"), []),
        (["-m"], _pkg("example.com/a", dep_only=False), ["-m"]),  # bare: the packages named on the command line
        (["-m"], _pkg("example.com/a"), []),
        (["example.com/...=-m"], _pkg("example.com/a/b"), ["-m"]),
        (["example.com/a/...=-m"], _pkg("example.com/a"), ["-m"]),  # a trailing /... matches the prefix itself
        (["example.com/a/...=-m"], _pkg("example.com/ab"), []),
        (["all=-N", "example.com/a=-m"], _pkg("example.com/a"), ["-m"]),  # the last match wins
        (["example.com/a=-m", "all=-N"], _pkg("example.com/a"), ["-N"]),
        (["all='-d=checkptr=0 x' -l"], _pkg("example.com/a"), ["-d=checkptr=0 x", "-l"]),
        (["./...=-m"], _pkg("example.com/a/sub", directory="/work/app/sub"), ["-m"]),
        (["./...=-m"], _pkg("example.com/other", directory="/work/other"), []),
        (["./sub=-m"], _pkg("example.com/a/sub", directory="/work/app/sub"), ["-m"]),
    ],
)
def test_per_package_flags_as_the_go_command_applies_them(values, package, expected):
    assert flags_for(values, package, Path("/work/app")) == expected


@pytest.mark.parametrize("args", [[], ["-N"], ["-d=a b", "-l"], ["it's", "x"], ['a"b']])
def test_quoted_join_splits_back(args):
    assert quoted_split(quoted_join(args)) == args


def test_quoted_split_refuses_an_open_quote():
    with pytest.raises(ValueError):
        quoted_split("-N '-l")


def test_otelgo_settings_flags():
    cmd = parse(
        "build",
        ["--without", "nethttp, databasesql", "--without=gorm", "--exporters=otlp", "--allow-upgrades", "-v", "."],
    )
    assert cmd.leave_out == ["nethttp", "databasesql", "gorm"]
    assert cmd.exporters == ["otlp"] and cmd.allow_upgrades is True
    assert cmd.flags == ["-v"] and cmd.packages == ["."]
    none = parse("build", ["."])
    assert none.leave_out is None and none.exporters is None and none.allow_upgrades is None
    assert parse("build", ["--without=", "."]).leave_out == []  # empty: overrides otelgo.toml's list


def test_show_injected_flags():
    assert parse("build", ["--show-injected", "."]).show_injected == ""
    cmd = parse("build", ["--show-injected=net/http", "--injected-dir", "out", "."])
    assert cmd.show_injected == "net/http" and cmd.injected_dir == "out" and cmd.packages == ["."]
    assert parse("build", ["."]).show_injected is None


@pytest.mark.parametrize("goflags", ["-toolexec=/usr/bin/time", "-trimpath '-toolexec=my tool'"])
def test_a_toolexec_in_goflags_is_refused_too(goflags):
    """otelgo's -toolexec on the command line would replace it without a word."""
    with pytest.raises(UsageError, match="^GOFLAGS sets -toolexec, which cannot be combined with otel go test: "):
        parse("test", ["./..."]).refuse_toolexec_in(goflags)
    parse("test", ["./..."]).refuse_toolexec_in("-trimpath -tags=toolexec")
