"""Trace context in log records, end to end: testdata/logapp built with
`otel go build` (and with plain `go build` to compare), run against a real
OTLP receiver, its stdout parsed record by record.

logapp writes the same records at start-up, inside each request (with the
request's context, and again with context.Background()) and at shutdown,
through log/slog, logrus, zap and the standard log package. A record
written with the request's context must carry trace_id and span_id equal
to the ids of the SERVER span the receiver got for that request; every
other record must be exactly what the plain build writes.

Two builds of the same program cover both ends of the tested version
ranges of the hook modules: the go.mod's (the newest zap and logrus) and
lowest.mod's (the lowest versions rules/zap and rules/logrus require).
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import REPO_ROOT, TESTDATA, check_build, find_go, go_build, otel_build, run_program
from otlp import OTLPReceiver, format_spans

pytestmark = pytest.mark.e2e

LOGAPP = TESTDATA / "logapp"
REQUESTS = ("1", "2")

# go build flags per variant of the program.
VARIANTS = {
    "latest": [],
    "lowest": ["-modfile=lowest.mod", "-tags", "zaplowest"],
}

# Calls that hand the logger the context they are given: inside a request,
# their records carry the request span's ids.
WITH_CTX = {
    "slog.ctx",  # logger.InfoContext(ctx, ...)
    "slog.log",  # logger.Log(ctx, level, ...)
    "slog.attrs",  # logger.LogAttrs(ctx, ...)
    "slog.group",  # logger.WithGroup("g").InfoContext(ctx, ...): ids inside "g"
    "slog.default",  # slog.InfoContext(ctx, ...): the default logger, text via package log
    "logrus.ctx",  # logger.WithContext(ctx).WithField(...).Info(...)
    "logrus.warnf",  # logger.WithContext(ctx).WithFields(...).Warnf(...)
    "zap.field",  # logger.Info(..., zap.Any("context", ctx))
    "zap.sugar",  # sugar.Infow(..., "context", ctx)
    "zap.with",  # logger.With(zap.Any("context", ctx)).Info(...)
    "zap.withlazy",  # logger.WithLazy(zap.Any("context", ctx)).Info(...), zap >= 1.27 only
}
# Calls with no context at all: without goroutine-local context (a later
# issue) nothing can soundly tell which span they belong to, so they are
# left as they are, inside requests too.
WITHOUT_CTX = {"slog.noctx", "logrus.noctx", "zap.noctx", "log.printf"}

TIME_KEYS = {"time", "ts"}  # slog and logrus, zap
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


@dataclass
class Record:
    line: str
    text: bool  # a text line (package log, slog's default logger), not JSON
    fields: list[tuple[str, object]]  # in the order written; slog groups flattened as "g.key"

    def get(self, key: str, default=None):
        for k, v in self.fields:
            if k == key or k.endswith("." + key):
                return v
        return default

    @property
    def case(self) -> str:
        return self.get("case")

    @property
    def where(self) -> str:
        return self.get("where")

    @property
    def ids(self) -> tuple[str | None, str | None]:
        return self.get("trace_id"), self.get("span_id")


def _flatten(pairs, prefix=""):
    out = []
    for k, v in pairs:
        if isinstance(v, list) and all(isinstance(p, tuple) and len(p) == 2 for p in v) and v:
            out += _flatten(v, prefix + k + ".")
        else:
            out.append((prefix + k, v))
    return out


def parse(stdout: str) -> list[Record]:
    records = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            pairs = json.loads(line, object_pairs_hook=list)
            records.append(Record(line, False, _flatten(pairs)))
        else:
            assert line.startswith("stdlog: "), f"unexpected stdout line {line!r}"
            fields = [tuple(tok.split("=", 1)) for tok in line.split() if "=" in tok]
            records.append(Record(line, True, fields))
    return records


def normalized(rec: Record) -> object:
    """What must be equal between the plain and the instrumented build: the
    record without trace_id/span_id, without its timestamp, and without the
    value of zap's context field (the request's context holds the server
    span in an instrumented build, and the address differs per run)."""
    if rec.text:
        return re.sub(r" trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16}$", "", rec.line)
    out = []
    for k, v in rec.fields:
        if k.rsplit(".", 1)[-1] in ("trace_id", "span_id"):
            continue
        if k in TIME_KEYS or k == "context":
            v = "<varies>"
        out.append((k, v))
    return out


# --- building and running ------------------------------------------------------


@pytest.fixture(scope="module")
def logapp_bins(tmp_path_factory):
    """logapp_bins(variant, instrumented) -> path of the binary, built once."""
    out_dir = tmp_path_factory.mktemp("logapp")
    built: dict[tuple[str, bool], Path | subprocess.CompletedProcess] = {}

    def get(variant: str, instrumented: bool) -> Path:
        key = (variant, instrumented)
        if key not in built:
            out = out_dir / f"logapp-{variant}-{'otel' if instrumented else 'plain'}"
            builder = otel_build if instrumented else go_build
            result = builder(LOGAPP, *VARIANTS[variant], "-o", str(out), ".")
            built[key] = out if result.returncode == 0 else result
        got = built[key]
        if isinstance(got, subprocess.CompletedProcess):
            check_build(got)
        return got

    return get


def run_requests(binary: Path, env, output_dir: Path) -> list[Record]:
    """Start the program, serve each request in turn, stop it (SIGTERM: it
    logs its shutdown records and returns from main); its records."""
    with run_program(binary, (), env, output_dir=output_dir) as prog:
        for n in REQUESTS:
            with urllib.request.urlopen(f"{prog.url}/log?req={n}", timeout=15) as resp:
                assert resp.read() == b"logged\n"
    assert prog.returncode == 0, prog.stderr
    assert "otelgo:" not in prog.stderr, prog.stderr  # no hook panicked, no setup error
    return parse(prog.stdout)


def otel_env(receiver) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }


def server_spans(receiver) -> dict[str, object]:
    """The SERVER span of each request, by its req number."""
    spans = receiver.wait_for_spans(lambda spans: all(_server_span(spans, n) for n in REQUESTS))
    return {n: _server_span(spans, n) for n in REQUESTS}


def _server_span(spans, n):
    hits = [s for s in spans if s.kind == "SERVER" and s.attributes.get("url.query") == f"req={n}"]
    assert len(hits) <= 1, format_spans(spans)
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def runs(logapp_bins, tmp_path_factory):
    """Per variant, the records of one instrumented run (with its server
    spans) and of one plain run, made once for the module's tests (the
    receiver and run_program fixtures are per test, hence no fixtures here)."""
    cache: dict[str, tuple] = {}
    out_dir = tmp_path_factory.mktemp("logapp-runs")

    def get(variant: str):
        if variant not in cache:
            with OTLPReceiver() as rx:
                otel_records = run_requests(logapp_bins(variant, True), otel_env(rx), out_dir)
                spans = server_spans(rx)
            plain_records = run_requests(logapp_bins(variant, False), {}, out_dir)
            cache[variant] = (otel_records, spans, plain_records)
        return cache[variant]

    return get


def expected_cases(variant: str) -> set[str]:
    cases = WITH_CTX | WITHOUT_CTX
    return cases if variant == "latest" else cases - {"zap.withlazy"}


WHERES = ["startup", *(f"request-{n}" for n in REQUESTS), *(f"request-{n}-background" for n in REQUESTS), "shutdown"]


# --- the tests -------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_record_once(runs, variant):
    records, _, plain = runs(variant)
    for recs in (records, plain):
        got = sorted((r.case, r.where) for r in recs)
        want = sorted((c, w) for c in expected_cases(variant) for w in WHERES)
        assert got == want  # and slog.debug, disabled, wrote nothing


@pytest.mark.parametrize("variant", VARIANTS)
def test_records_with_request_context_carry_server_span_ids(runs, variant):
    records, spans, _ = runs(variant)
    problems = []
    for rec in records:
        if rec.case not in WITH_CTX or rec.where not in {f"request-{n}" for n in REQUESTS}:
            continue
        span = spans[rec.where.removeprefix("request-")]
        if rec.ids != (span.trace_id, span.span_id):
            problems.append(f"{rec.case}: ids {rec.ids}, server span {span.trace_id} {span.span_id}:\n  {rec.line}")
    assert not problems, "\n".join(problems)
    # The two requests are two traces: no record got the other one's ids.
    assert spans["1"].trace_id != spans["2"].trace_id


@pytest.mark.parametrize("variant", VARIANTS)
def test_ids_in_each_loggers_native_form(runs, variant):
    records, spans, _ = runs(variant)
    span = spans["1"]
    by_case = {r.case: r for r in records if r.where == "request-1"}

    # slog: two string attributes after the call's own, in the innermost group.
    slog_rec = json.loads(by_case["slog.ctx"].line)
    assert list(slog_rec)[-2:] == ["trace_id", "span_id"]
    assert json.loads(by_case["slog.group"].line)["g"]["trace_id"] == span.trace_id
    # slog's default logger writes text through package log.
    assert by_case["slog.default"].line.endswith(f" trace_id={span.trace_id} span_id={span.span_id}")
    # logrus: fields of the entry (the JSON formatter sorts them).
    logrus_rec = json.loads(by_case["logrus.ctx"].line)
    assert (logrus_rec["trace_id"], logrus_rec["span_id"]) == (span.trace_id, span.span_id)
    # zap: string fields after the call's own.
    zap_rec = json.loads(by_case["zap.field"].line)
    assert list(zap_rec)[-2:] == ["trace_id", "span_id"]
    for rec in records:
        tid, sid = rec.ids
        if tid is not None:
            assert HEX32.match(tid) and HEX16.match(sid), rec.line


@pytest.mark.parametrize("variant", VARIANTS)
def test_records_outside_request_span_carry_no_ids(runs, variant):
    records, _, _ = runs(variant)
    tagged = [
        r.line
        for r in records
        if (r.where not in {f"request-{n}" for n in REQUESTS} or r.case in WITHOUT_CTX)
        and any(k.rsplit(".", 1)[-1] in ("trace_id", "span_id") for k, _ in r.fields)
    ]
    assert not tagged, "\n".join(tagged)


@pytest.mark.parametrize("variant", VARIANTS)
def test_output_otherwise_unchanged(runs, variant):
    """Line for line, the instrumented program writes what the plain one
    writes, apart from the ids: same keys in the same order, same values,
    same source lines (slog's source, zap's caller, logrus's file)."""
    records, _, plain = runs(variant)
    assert len(records) == len(plain)
    for got, want in zip(records, plain):
        assert normalized(got) == normalized(want), f"\n{got.line}\n{want.line}"


@pytest.mark.xfail(
    strict=True,
    reason="records written with no context (slog.Info, logrus.Info, zap's Info "
    "without a context field, package log) need goroutine-local context: a later issue",
)
def test_records_without_context_inside_request_carry_ids(runs):
    records, spans, _ = runs("latest")
    inside = [r for r in records if r.case in WITHOUT_CTX and r.where == "request-1"]
    assert inside and all(r.ids == (spans["1"].trace_id, spans["1"].span_id) for r in inside)


# --- the hook packages' own Go tests ----------------------------------------------


@pytest.mark.parametrize(
    "module_dir, packages",
    [
        pytest.param(REPO_ROOT / "rules", ["./slog", "./internal/logctx"], id="slog"),
        pytest.param(REPO_ROOT / "rules" / "zap", ["./..."], id="zap"),
        pytest.param(REPO_ROOT / "rules" / "logrus", ["./..."], id="logrus"),
    ],
)
def test_log_hook_unit_tests(module_dir, packages):
    result = subprocess.run(
        [find_go(), "test", "-count=1", *packages],
        cwd=module_dir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
