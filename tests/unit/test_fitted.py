"""Fitting OpenTelemetry's go.mod files to an older build list
(otelgo/plan/fitted.py), without the go command: which requirements are
read, which are lowered, which are left out, and that nothing else of the
file changes."""

from __future__ import annotations

from otelgo.gocmd.gomodtext import requirements
from otelgo.plan import fitted

GOMOD = """module go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp

go 1.20

retract (
	v1.0.0 // a retraction, not a requirement
)

require (
	github.com/cenkalti/backoff/v4 v4.2.1
	github.com/stretchr/testify v1.8.4
	go.opentelemetry.io/otel v1.24.0
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240102182953-50ed04b92917 // indirect
	google.golang.org/grpc v1.61.1
	"google.golang.org/protobuf" v1.32.0
)

require golang.org/x/net v0.20.0 // indirect

exclude (
	golang.org/x/text v0.3.0
)

replace go.opentelemetry.io/otel => ../../../..
"""


def test_requirements_are_read_from_lines_and_blocks_only():
    found = {r.path: r.version for r in requirements(GOMOD)}
    assert found == {
        "github.com/cenkalti/backoff/v4": "v4.2.1",
        "github.com/stretchr/testify": "v1.8.4",
        "go.opentelemetry.io/otel": "v1.24.0",
        "google.golang.org/genproto/googleapis/rpc": "v0.0.0-20240102182953-50ed04b92917",
        "google.golang.org/grpc": "v1.61.1",
        "google.golang.org/protobuf": "v1.32.0",
        "golang.org/x/net": "v0.20.0",
    }


def test_only_what_the_build_list_has_older_is_lowered():
    build_list = {
        "google.golang.org/grpc": "v1.56.3",
        "golang.org/x/net": "v0.9.0",
        "google.golang.org/protobuf": "v1.33.0",  # newer than asked: left as it is
        "google.golang.org/genproto": "v0.0.0-20230410155749-daa745c078e1",
        "github.com/stretchr/testify": "v1.0.0",
    }
    text = fitted._fitted_gomod(GOMOD, requirements(GOMOD), build_list)
    found = {r.path: r.version for r in requirements(text)}
    assert found["google.golang.org/grpc"] == "v1.56.3"
    assert found["golang.org/x/net"] == "v0.9.0"
    assert found["google.golang.org/protobuf"] == "v1.32.0"
    assert found["github.com/cenkalti/backoff/v4"] == "v4.2.1"
    # A module only its tests need is never lowered: no package of it is built.
    assert found["github.com/stretchr/testify"] == "v1.8.4"
    # The program has genproto whole, which holds googleapis/rpc's packages.
    assert "google.golang.org/genproto/googleapis/rpc" not in found
    # The rest of the file is as it was, line for line.
    changed = [(a, b) for a, b in zip(GOMOD.split("\n"), text.split("\n"), strict=True) if a != b]
    assert len(changed) == 3, changed


def test_a_build_list_that_has_everything_new_enough_changes_nothing():
    build_list = {"google.golang.org/grpc": "v1.79.1", "golang.org/x/net": "v0.50.0"}
    assert fitted._fitted_gomod(GOMOD, requirements(GOMOD), build_list) == GOMOD


def test_the_split_part_stays_where_the_program_has_it():
    build_list = {
        "google.golang.org/genproto": "v0.0.0-20230410155749-daa745c078e1",
        "google.golang.org/genproto/googleapis/rpc": "v0.0.0-20230525234030-28d5490b6b19",
    }
    text = fitted._fitted_gomod(GOMOD, requirements(GOMOD), build_list)
    found = {r.path: r.version for r in requirements(text)}
    assert found["google.golang.org/genproto/googleapis/rpc"] == "v0.0.0-20230525234030-28d5490b6b19"
