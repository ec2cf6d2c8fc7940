"""Trace context in log records, end to end: testdata/logapp built with
`otel go build` (and with plain `go build` to compare), run against a real
OTLP receiver, its stdout and stderr parsed record by record.

logapp writes the same records at start-up, inside each request (with the
request's context, and again with context.Background()) and at shutdown,
through log/slog, logrus, zap, the standard log package, zerolog, logr
(with zapr, stdr and funcr sinks), klog and glog, with and without a
context. Inside a request, every record carries trace_id and span_id equal
to the ids of the SERVER span the receiver got for that request, in the
logger's own form: from the context the logger was handed, or, for a
record written without one (or with one that holds no span), from the span
current on the goroutine. Records at start-up and shutdown, outside any
request, are exactly what the plain build writes; so is every record apart
from its ids.

Two builds of the same program cover both ends of the tested version
ranges of the hook modules: the go.mod's (the newest versions) and
lowest.mod's (the lowest versions the rules require; logr's is the one
OpenTelemetry itself requires).
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import TESTDATA, check_build, go_build, otel_build, run_program
from otlp import OTLPReceiver, format_spans

LOGAPP = TESTDATA / "logapp"
REQUESTS = ("1", "2")

# go build flags per variant of the program.
VARIANTS = {
    "latest": [],
    "lowest": ["-modfile=lowest.mod", "-tags", "lowest"],
}
# Builds with otel go build only: logapp has no gRPC of its own, so the
# OTLP/gRPC exporters join it only when asked for.
OTEL_VARIANTS = {"latest-grpc": ["--exporters", "otlp,otlp-grpc"]}

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
    "zerolog.ctx",  # logger.Info().Ctx(ctx)...Msg(...), zerolog >= 1.31 only
    "logr.zaprctx",  # zapr logger.Info(..., "context", ctx): otellogr's convention
    "glog.ctx",  # glog.InfoContextf(ctx, ...), glog >= 1.2 only
}
# Cases the lowest versions lack.
LATEST_ONLY = {"zap.withlazy", "zerolog.ctx", "glog.ctx"}
# Calls with no context at all: inside a request, their records carry the
# ids of the span current on the goroutine, the request's server span.
WITHOUT_CTX_BY_LOGGER = {
    "slog": {
        "slog.noctx",  # logger.Info(...)
        "slog.defaultnoctx",  # slog.Info(...): the default logger, text via package log
    },
    "logrus": {"logrus.noctx"},  # logger.WithFields(...).Info(...)
    "zap": {
        "zap.noctx",  # logger.Info(...) without a context field
        "zap.sugarnoctx",  # sugar.Infow(...) without a context field
        "zap.withnoctx",  # logger.With(zap.String(...)).Info(...)
    },
    "log": {
        "log.printf",  # log.Printf
        "log.println",  # log.Println: the message ends with a newline
        "log.panic",  # log.Panicf, recovered
        "log.recovered",  # log.Printf after it: intact=true when the panic value is the message
    },
    "zerolog": {
        "zerolog.info",  # logger.Info().Str(...).Msg(...)
        "zerolog.warnf",  # logger.Warn()...Msgf(...)
        "zerolog.with",  # logger.With().Str(...).Logger(), then Info()...Msg(...)
    },
    "logr": {
        "logr.zapr",  # zapr: a zap record
        "logr.stdr",  # stdr: a "stdr: " text line through a log.Logger
        "logr.funcr",  # funcr's JSON
        "logr.funcrerror",  # funcr's JSON, logger.Error(err, ...)
    },
    "klog": {
        "klog.infos",  # klog.InfoS: a structured line
        "klog.infof",  # klog.Infof
        "klog.warningf",  # klog.Warningf
        "klog.errors",  # klog.ErrorS(err, ...)
        "klog.logr",  # klog.FromContext(ctx).Info(...): klog's own logr sink
    },
    "glog": {
        "glog.infof",  # glog.Infof
        "glog.warning",  # glog.Warning
    },
}
WITHOUT_CTX = set().union(*WITHOUT_CTX_BY_LOGGER.values())

TIME_KEYS = {"time", "ts"}  # slog and logrus, zap
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


# A klog or glog line's header: severity, date, time, thread, file:line.
HEADER = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ [^ \]]+:\d+\] ")
# The ids as each kind of text line ends with them (kind: the line's source).
TEXT_IDS = {
    "stdlog": r" trace_id=([0-9a-f]{32}) span_id=([0-9a-f]{16})$",  # package log, slog's default logger
    "glog": r" trace_id=([0-9a-f]{32}) span_id=([0-9a-f]{16})$",
    "stdr": r' "trace_id"="([0-9a-f]{32})" "span_id"="([0-9a-f]{16})"$',  # funcr's "key"="value"
    "klog": r' trace_id="([0-9a-f]{32})" span_id="([0-9a-f]{16})"$',  # klog's key="value"
}


@dataclass
class Record:
    line: str
    kind: str  # "json", or the source of a text line: stdlog, stdr (stdout), klog, glog (stderr)
    fields: list[tuple[str, object]]  # in the order written; slog groups flattened as "g.key"

    @property
    def text(self) -> bool:
        return self.kind != "json"

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

    @property
    def message(self) -> str:
        """A text line without its prefix or header."""
        if self.kind in ("klog", "glog"):
            return HEADER.sub("", self.line)
        return self.line.split(": ", 1)[1]


def _flatten(pairs, prefix=""):
    out = []
    for k, v in pairs:
        if isinstance(v, list) and all(isinstance(p, tuple) and len(p) == 2 for p in v) and v:
            out += _flatten(v, prefix + k + ".")
        else:
            out.append((prefix + k, v))
    return out


def _text(line: str, kind: str) -> Record:
    fields = []
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            fields.append((k.strip('"'), v.strip('"')))
    return Record(line, kind, fields)


def parse(stdout: str, stderr: str = "") -> list[Record]:
    """The records on stdout (JSON, "stdlog: " and "stdr: " lines), then
    klog's and glog's lines on stderr (which has other lines too)."""
    records = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            pairs = json.loads(line, object_pairs_hook=list)
            records.append(Record(line, "json", _flatten(pairs)))
        else:
            kind = line.split(": ", 1)[0]
            assert kind in ("stdlog", "stdr"), f"unexpected stdout line {line!r}"
            records.append(_text(line, kind))
    for line in stderr.splitlines():
        if HEADER.match(line):
            rec = _text(line, "klog")
            rec.kind = str(rec.case).split(".")[0]
            assert rec.kind in ("klog", "glog"), line
            records.append(rec)
    return records


def without_ids(rec: Record) -> str:
    """A text line without the ids at its end."""
    return re.sub(TEXT_IDS[rec.kind], "", rec.line)


def normalized(rec: Record) -> object:
    """What must be equal between the plain and the instrumented build: the
    record without trace_id/span_id, without its timestamp (and klog's and
    glog's header), and without the value of zap's context field (the
    request's context holds the server span in an instrumented build, and
    the address differs per run)."""
    if rec.text:
        return HEADER.sub("<header> ", without_ids(rec)) if rec.kind in ("klog", "glog") else without_ids(rec)
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
            flags = VARIANTS[variant] if variant in VARIANTS else OTEL_VARIANTS[variant]
            result = builder(LOGAPP, *flags, "-o", str(out), ".")
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
    return parse(prog.stdout, prog.stderr)


def otel_env(receiver) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTELGO_LOG_TRACE_IDS": "true",  # package log's lines too (off by default)
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
    return cases if variant == "latest" else cases - LATEST_ONLY


WHERES = ["startup", *(f"request-{n}" for n in REQUESTS), *(f"request-{n}-background" for n in REQUESTS), "shutdown"]
# Records written inside request n: with its context, and with context.Background().
INSIDE = {f"request-{n}{suffix}": n for n in REQUESTS for suffix in ("", "-background")}
OUTSIDE = {"startup", "shutdown"}


def ids_suffix(span, kind: str = "stdlog") -> str:
    """What a text line of this kind ends with inside span: package log's
    (and slog's text output's, and glog's), stdr's, klog's."""
    return {
        "stdlog": f" trace_id={span.trace_id} span_id={span.span_id}",
        "glog": f" trace_id={span.trace_id} span_id={span.span_id}",
        "stdr": f' "trace_id"="{span.trace_id}" "span_id"="{span.span_id}"',
        "klog": f' trace_id="{span.trace_id}" span_id="{span.span_id}"',
    }[kind]


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
def test_records_with_a_context_without_span_inside_request_carry_server_span_ids(runs, variant):
    """logAll(context.Background(), ...) inside the handler: the context
    holds no span, so every record belongs to the goroutine's, the request's
    server span; zap's With binds no span from such a context, its records
    get the goroutine's when written."""
    records, spans, _ = runs(variant)
    problems = []
    for rec in records:
        if not rec.where.endswith("-background"):
            continue
        span = spans[INSIDE[rec.where]]
        if rec.ids != (span.trace_id, span.span_id):
            problems.append(f"{rec.case}: ids {rec.ids}, server span {span.trace_id} {span.span_id}:\n  {rec.line}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("logger", WITHOUT_CTX_BY_LOGGER)
@pytest.mark.parametrize("variant", VARIANTS)
def test_records_without_context_inside_request_carry_server_span_ids(runs, variant, logger):
    """Records written with no context at all, per logger: inside a request
    they carry the server span's ids, in the logger's native form (the same
    as with a context: after the record's own fields; at the end of a text
    line, before its newline); outside requests they are what the plain
    build writes."""
    records, spans, plain = runs(variant)
    plain_by = {(r.case, r.where): r for r in plain}
    cases = WITHOUT_CTX_BY_LOGGER[logger]
    seen = set()
    for rec in records:
        if rec.case not in cases:
            continue
        seen.add((rec.case, rec.where))
        want = plain_by[(rec.case, rec.where)]
        if rec.where in OUTSIDE:
            assert rec.ids == (None, None), rec.line
            if rec.kind in ("stdlog", "stdr"):
                assert rec.line == want.line
            else:
                assert normalized(rec) == normalized(want), f"\n{rec.line}\n{want.line}"
            continue
        span = spans[INSIDE[rec.where]]
        assert rec.ids == (span.trace_id, span.span_id), (
            f"{rec.case}: server span {span.trace_id} {span.span_id}:\n  {rec.line}"
        )
        keys = [k for k, _ in rec.fields]
        if rec.text:  # the plain line, then the ids in the logger's form
            assert rec.message == want.message + ids_suffix(span, rec.kind), f"\n{rec.line}\n{want.line}"
        elif logger == "zerolog":  # before the timestamp hook's field and the message
            assert keys[-4:] == ["trace_id", "span_id", "time", "message"], rec.line
        elif logger != "logrus":  # logrus's JSON formatter sorts the keys
            assert keys[-2:] == ["trace_id", "span_id"], rec.line
    assert seen == {(c, w) for c in cases for w in WHERES}
    if logger == "log":
        # The panic value of log.Panicf is the message, without the ids.
        assert all(r.get("intact") == "true" for r in records if r.case == "log.recovered")


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
    assert by_case["slog.default"].line.endswith(ids_suffix(span))
    # logrus: fields of the entry (the JSON formatter sorts them).
    logrus_rec = json.loads(by_case["logrus.ctx"].line)
    assert (logrus_rec["trace_id"], logrus_rec["span_id"]) == (span.trace_id, span.span_id)
    # zap: string fields after the call's own.
    zap_rec = json.loads(by_case["zap.field"].line)
    assert list(zap_rec)[-2:] == ["trace_id", "span_id"]
    # package log: at the end of the line.
    assert by_case["log.printf"].line.endswith(ids_suffix(span))
    # zerolog: string fields, before the message.
    zerolog_rec = json.loads(by_case["zerolog.info"].line)
    assert (zerolog_rec["trace_id"], zerolog_rec["span_id"]) == (span.trace_id, span.span_id)
    assert list(zerolog_rec)[-1] == "message"
    # logr: key-value pairs after the call's own, as each sink writes them.
    assert list(json.loads(by_case["logr.zapr"].line))[-2:] == ["trace_id", "span_id"]
    assert list(json.loads(by_case["logr.funcr"].line))[-2:] == ["trace_id", "span_id"]
    assert by_case["logr.stdr"].line.endswith(f' "trace_id"="{span.trace_id}" "span_id"="{span.span_id}"')
    # klog: key="value" pairs, after a structured line's own and after a printf-style message.
    for case in ("klog.infos", "klog.infof", "klog.logr"):
        assert by_case[case].line.endswith(f' trace_id="{span.trace_id}" span_id="{span.span_id}"')
    # glog: printf text, like package log.
    assert by_case["glog.infof"].line.endswith(ids_suffix(span))
    for rec in records:
        tid, sid = rec.ids
        if tid is not None:
            assert HEX32.match(tid) and HEX16.match(sid), rec.line


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_record_has_ids_twice(runs, variant):
    """zap's With binds a context's ids in the derived logger's fields, and
    slog's default handler writes through package log: neither record gets
    a second trace_id or span_id."""
    records, _, _ = runs(variant)
    doubled = []
    for rec in records:
        if rec.text:
            counts = Counter({k: len(re.findall(k + '"?=', rec.line)) for k in ("trace_id", "span_id")})
        else:
            counts = Counter(k.rsplit(".", 1)[-1] for k, _ in rec.fields)
        if counts["trace_id"] > 1 or counts["span_id"] > 1:
            doubled.append(rec.line)
    assert not doubled, "\n".join(doubled)


@pytest.mark.parametrize("variant", VARIANTS)
def test_records_outside_requests_carry_no_ids(runs, variant):
    records, _, _ = runs(variant)
    outside = [r for r in records if r.where in OUTSIDE]
    assert len(outside) == 2 * len(expected_cases(variant))
    tagged = [r.line for r in outside if any(k.rsplit(".", 1)[-1] in ("trace_id", "span_id") for k, _ in r.fields)]
    assert not tagged, "\n".join(tagged)


@pytest.mark.parametrize("variant", VARIANTS)
def test_output_otherwise_unchanged(runs, variant):
    """Line for line, the instrumented program writes what the plain one
    writes, apart from the ids: same keys in the same order, same values,
    same source lines (slog's source, zap's caller, logrus's file)."""
    records, _, plain = runs(variant)
    assert len(records) == len(plain)
    for got, want in zip(records, plain, strict=False):
        assert normalized(got) == normalized(want), f"\n{got.line}\n{want.line}"


def test_package_log_lines_unchanged_by_default(logapp_bins, tmp_path):
    """Without OTELGO_LOG_TRACE_IDS, package log's lines are exactly the
    plain build's (no parser of them breaks); the structured loggers' records
    still get their ids as fields."""
    with OTLPReceiver() as rx:
        env = {k: v for k, v in otel_env(rx).items() if k != "OTELGO_LOG_TRACE_IDS"}
        records = run_requests(logapp_bins("latest", True), env, tmp_path)
    plain = run_requests(logapp_bins("latest", False), {}, tmp_path)
    key = {(r.case, r.where): r for r in plain}
    std = [r for r in records if r.case.startswith("log.")]
    assert std and all(r.line == key[(r.case, r.where)].line for r in std), [r.line for r in std]
    inside = [r for r in records if r.case.startswith("slog.") and r.where in INSIDE]
    assert inside and all("trace_id" in r.line for r in inside)
