"""Log records as OpenTelemetry logs, end to end: testdata/logapp built with
`otel go build`, run with OTEL_LOGS_EXPORTER=otlp against a real OTLP
receiver, its stdout parsed record by record (see test_logs_e2e.py).

Every record the program writes (through log/slog, zap, logrus, the
standard log package, zerolog, logr, klog and glog, at start-up, inside
requests and at shutdown) also arrives once as an OTLP log record: the message as its body, the level as
its severity, the fields as attributes, and, inside a request, the trace
and span IDs of that request's SERVER span as the record's own IDs (not as
attributes). stdout is what the same binary writes with
OTEL_LOGS_EXPORTER=none. Unset, none, or OTEL_SDK_DISABLED=true: no log
export at all.

logr's records arrive through the OpenTelemetry log API (by way of
otelslog: the logr hooks join every build, see rules/logr), except those of
sinks whose library exports them itself: zapr's as zap records
(otelzap), stdr's as the standard log package's lines, klog's sink's as
klog's lines. zerolog, klog and glog have no official bridge: their records
go through the OpenTelemetry log API (by way of otelslog), zerolog's fields
as attributes, klog's and glog's lines as text bodies.

The lowest variant (zap v1.21.0, logrus v1.8.1) is older than the zap and
logrus bridges need: its zap and logrus records (and logr's through zapr)
are not exported, and those libraries are not upgraded to make them so.
"""

from __future__ import annotations

import time
import urllib.request

import pytest
from harness import check_build, otel_build, run_program
from otlp import LogRecord, OTLPReceiver
from test_logs import (  # noqa: F401  (logapp_bins is a fixture)
    HEADER,
    INSIDE,
    LOGAPP,
    OUTSIDE,
    VARIANTS,
    WHERES,
    Record,
    expected_cases,
    logapp_bins,
    normalized,
    otel_env,
    run_requests,
    server_spans,
    without_ids,
)

# The instrumentation scope of each logger's records.
SCOPES = {
    "slog": "otelgo.dev/rules/slog",
    "zap": "otelgo.dev/rules/zap/zapexport",
    "logrus": "otelgo.dev/rules/logrus/logrusexport",
    "log": "otelgo.dev/rules/log",
    "zerolog": "otelgo.dev/rules/zerolog",
    "logr": "otelgo.dev/rules/logr",
    "klog": "otelgo.dev/rules/klog",
    "glog": "otelgo.dev/rules/glog",
}
# Loggers whose records each variant exports: the bridges of zap and logrus
# need zap >= 1.27.1 and logrus >= 1.9.4.
EXPORTED = {
    "latest": {"slog", "zap", "logrus", "log", "zerolog", "logr", "klog", "glog"},
    "lowest": {"slog", "log", "zerolog", "logr", "klog", "glog"},
}

# OTLP severity numbers
INFO, WARN, ERROR = 9, 13, 17
SEVERITIES = {"info": INFO, "warn": WARN, "warning": WARN, "error": ERROR, 0: INFO, "I": INFO, "W": WARN, "E": ERROR}


def logger_of(case: str) -> str:
    """The logger a case's record is exported by: slog's default logger
    writes text through package log, which exports it; so does logr's stdr
    sink; logr's zapr sink writes zap records; klog's logr sink klog lines."""
    special = {
        "slog.default": "log",
        "slog.defaultnoctx": "log",
        "logr.stdr": "log",
        "logr.zapr": "zap",
        "logr.zaprctx": "zap",
    }
    return special.get(case, case.split(".")[0])


def key_of(rec: LogRecord) -> tuple[str, str]:
    """(case, where) of an exported record: from its attributes (slog's
    group "g" is a map attribute), or from the body of a text line."""
    attrs = rec.attributes.get("g") if "g" in rec.attributes else rec.attributes
    if "case" in attrs:
        return attrs["case"], attrs["where"]
    pairs = (tok.split("=", 1) for tok in str(rec.body).split() if "=" in tok)
    tokens = {k.strip('"'): v.strip('"') for k, v in pairs}
    return tokens.get("case", ""), tokens.get("where", "")


def env_with(receiver, **extra) -> dict[str, str]:
    return {**otel_env(receiver), "OTEL_BLRP_SCHEDULE_DELAY": "100", **extra}


@pytest.fixture(scope="module")
def exported(logapp_bins, tmp_path_factory):
    """Per variant: the stdout records of a run with OTEL_LOGS_EXPORTER=otlp,
    the log records the receiver got, the server spans, and the stdout
    records of a run of the same binary with OTEL_LOGS_EXPORTER=none."""
    cache: dict[str, tuple] = {}
    out_dir = tmp_path_factory.mktemp("logapp-otlp")

    def get(variant: str):
        if variant not in cache:
            binary = logapp_bins(variant, True)
            with OTLPReceiver() as rx:
                stdout = run_requests(binary, env_with(rx, OTEL_LOGS_EXPORTER="otlp"), out_dir)
                spans = server_spans(rx)
                # Shutdown flushed everything before the program exited.
                logs = rx.log_records()
            with OTLPReceiver() as rx:
                stdout_none = run_requests(binary, env_with(rx, OTEL_LOGS_EXPORTER="none"), out_dir)
            cache[variant] = (stdout, logs, spans, stdout_none)
        return cache[variant]

    return get


def exported_cases(variant: str) -> set[str]:
    return {c for c in expected_cases(variant) if logger_of(c) in EXPORTED[variant]}


@pytest.mark.parametrize("variant", ["latest", "lowest"])
def test_each_record_exported_once(exported, variant):
    _, logs, _, _ = exported(variant)
    got = sorted(key_of(r) for r in logs)
    want = sorted((c, w) for c in exported_cases(variant) for w in WHERES)
    assert got == want, "\n".join(r.short() for r in logs)


@pytest.mark.parametrize("variant", ["latest", "lowest"])
def test_records_carry_the_request_span_ids(exported, variant):
    """Inside request n, every record (with the request's context, with
    context.Background(), without any) carries the ids of request n's
    server span; outside requests, none. Never as attributes."""
    _, logs, spans, _ = exported(variant)
    problems = []
    for rec in logs:
        case, where = key_of(rec)
        if where in OUTSIDE:
            want = ("", "")
        else:
            span = spans[INSIDE[where]]
            want = (span.trace_id, span.span_id)
        if (rec.trace_id, rec.span_id) != want:
            problems.append(f"{case} {where}: want {want}: {rec.short()}")
        attrs = {**rec.attributes, **(rec.attributes.get("g") or {})}
        if {"trace_id", "span_id"} & set(attrs):
            problems.append(f"{case} {where}: ids as attributes: {rec.short()}")
    assert not problems, "\n".join(problems)
    assert spans["1"].trace_id != spans["2"].trace_id


def expected_body_and_severity(line: Record) -> tuple[str, int]:
    """What the exported record of a written record holds: the message and
    the level (text lines: the line after log's prefix, stdr's prefix, or
    klog's and glog's header, without the ids; package log has no levels:
    INFO)."""
    if line.text:
        body = without_ids(line)
        if line.kind in ("klog", "glog"):
            return HEADER.sub("", body), SEVERITIES[line.line[0]]
        return body.split(": ", 1)[1], INFO
    if line.case == "logr.funcrerror":  # funcr writes no level for an error
        return line.get("msg"), ERROR
    level = line.get("level")
    return line.get("msg", line.get("message")), SEVERITIES[level.lower() if isinstance(level, str) else level]


@pytest.mark.parametrize("variant", ["latest", "lowest"])
def test_body_severity_scope_and_attributes(exported, variant):
    stdout, logs, _, _ = exported(variant)
    by_key = {key_of(r): r for r in logs}
    checked = 0
    for line in stdout:
        rec = by_key.get((line.case, line.where))
        if logger_of(line.case) not in EXPORTED[variant]:
            assert rec is None, rec.short()
            continue
        body, severity = expected_body_and_severity(line)
        assert (rec.body, rec.severity_number) == (body, severity), f"{line.line}\n{rec.short()}"
        assert rec.scope_name == SCOPES[logger_of(line.case)], rec.short()
        assert rec.service_name == "logapp-" + variant + "-otel"
        checked += 1
    assert checked == len(logs) > 0


@pytest.mark.parametrize("variant", ["latest", "lowest"])
def test_stdout_same_as_without_export(exported, variant):
    """Exporting changes nothing on stdout: record for record the same as
    OTEL_LOGS_EXPORTER=none writes, apart from the ids' values and the
    timestamps; the same records have ids."""
    stdout, _, _, stdout_none = exported(variant)
    assert len(stdout) == len(stdout_none)
    for got, want in zip(stdout, stdout_none, strict=False):
        assert normalized(got) == normalized(want), f"\n{got.line}\n{want.line}"
        assert (got.ids == (None, None)) == (want.ids == (None, None)), f"\n{got.line}\n{want.line}"


@pytest.mark.parametrize(
    "switch",
    [{"OTEL_LOGS_EXPORTER": "none"}, {}, {"OTEL_LOGS_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}],
    ids=["none", "unset", "sdk-disabled"],
)
def test_off_switch_exports_no_logs(logapp_bins, tmp_path, switch):
    binary = logapp_bins("latest", True)
    with OTLPReceiver() as rx:
        stdout = run_requests(binary, env_with(rx, **switch), tmp_path)
        if "OTEL_SDK_DISABLED" in switch:
            assert all(r.ids == (None, None) for r in stdout)
        else:
            server_spans(rx)  # the traces still arrive
        # The program has exited, after flushing: nothing more can come.
        assert rx.requests("logs") == []
    assert len(stdout) == len(expected_cases("latest")) * len(WHERES)


@pytest.mark.parametrize("variant", ["latest", "lowest"])
def test_build_summary_lists_the_exported_loggers(tmp_path, variant):
    result = check_build(otel_build(LOGAPP, *VARIANTS[variant], "-o", str(tmp_path / "logapp"), "."))
    names = {
        "slog": "log/slog (otelslog)",
        "zap": "zap (otelzap)",
        "logrus": "logrus (otellogrus)",
        "log": "log (otelslog)",
        "zerolog": "zerolog (otelslog)",
        "logr": "logr (otelslog)",
        "klog": "klog (otelslog)",
        "glog": "glog (otelslog)",
    }
    listed = ", ".join(sorted(names[k] for k in names if k in EXPORTED[variant]))
    assert f"  logs: {listed} records also exported when OTEL_LOGS_EXPORTER=otlp\n" in result.stderr
    if variant == "lowest":  # zap and logrus keep their versions, and their ids
        for library, version, minimum, module in [
            ("go.uber.org/zap", "v1.21.0", "v1.27.1", "zap/zapexport"),
            ("github.com/sirupsen/logrus", "v1.8.1", "v1.9.4", "logrus/logrusexport"),
        ]:
            assert (
                f"{library} {version} is older than {minimum}, the oldest version otelgo.dev/rules/{module} "
                "supports: its rules are left out"
            ) in result.stderr


def test_logs_over_grpc(logapp_bins, tmp_path):
    """OTEL_EXPORTER_OTLP_PROTOCOL=grpc: the records arrive over OTLP/gRPC
    (from a build that links the OTLP/gRPC exporters)."""
    binary = logapp_bins("latest-grpc", True)
    with OTLPReceiver() as rx:
        env = {
            **env_with(rx, OTEL_LOGS_EXPORTER="otlp"),
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": rx.grpc_endpoint,
        }
        run_requests(binary, env, tmp_path)
        spans = server_spans(rx)
        logs = rx.log_records()
    assert sorted(key_of(r) for r in logs) == sorted((c, w) for c in exported_cases("latest") for w in WHERES)
    assert {r.transport for r in logs} == {"grpc"}
    inside = [r for r in logs if key_of(r)[1] == "request-1"]
    assert inside and all((r.trace_id, r.span_id) == (spans["1"].trace_id, spans["1"].span_id) for r in inside)


def test_logs_over_grpc_not_linked_says_so_once(logapp_bins, tmp_path):
    """The default build of a program without gRPC has no OTLP/gRPC
    exporters: asked for them, it says so on one line per signal, exports
    nothing, and runs as it would."""
    binary = logapp_bins("latest", True)
    with OTLPReceiver() as rx:
        env = {
            **env_with(rx, OTEL_LOGS_EXPORTER="otlp"),
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": rx.grpc_endpoint,
        }
        with run_program(binary, (), env, output_dir=tmp_path) as prog:
            with urllib.request.urlopen(f"{prog.url}/log?req=1", timeout=15) as resp:
                assert resp.read() == b"logged\n"
        assert prog.returncode == 0, prog.stderr
        time.sleep(0.5)
        assert rx.log_records() == [] and rx.spans == [] and rx.records == []
    lines = [line for line in prog.stderr.splitlines() if line.startswith("otelgo:")]
    assert sorted(line.rsplit("; no ", 1)[1] for line in lines) == [
        "logs are exported",
        "metrics are exported",
        "traces are exported",
    ], prog.stderr
    for line in lines:
        assert line.startswith(
            'otelgo: OTEL_EXPORTER_OTLP_PROTOCOL="grpc": this program was built without the otlp-grpc exporter'
        ), line
        assert "--exporters otlp,otlp-grpc" in line, line
