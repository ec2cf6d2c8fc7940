"""Programs that export some of their loggers' records themselves, through
the official contrib log bridges (testdata/logbridges): slog with
otelslog's handler (alone, from otelslog.NewLogger, and beside a JSON
handler in slog.NewMultiHandler), zap with otelzap's core (in a tee, and
teed in by zap.WrapCore), logrus with otellogrus's hook, logr with
otellogr's sink and with otelslog's handler (logr.FromSlogHandler).
Built with `otel go build`, run with OTEL_LOGS_EXPORTER=otlp: each record
arrives once, from the program's bridge where the logger has one (otelgo
steps aside), from otelgo's hooks where it has none, with the trace and span
ids of the request's SERVER span, also where the program logged without
the request's context. What the program writes to stdout is what it writes
without log export, each line once, with otelgo's trace_id and span_id.

Built five times, at both ends of each bridge's range: go.mod holds the
newest otelslog, otelzap, otellogrus (v0.21.0, on OpenTelemetry v1.47);
otellogr.mod the newest otellogr the module proxy serves here (v0.18.0,
with the others at v0.18.0, OpenTelemetry v1.43: otellogr v0.18.0 does not
build with the log API v1.47; its logger is in this build only, -tags
otellogr). The lowest each rule's release sets allow: oldest.mod
otellogrus v0.6.0 (OpenTelemetry v1.31, logrusexport's lowest; otelslog
and otelzap v0.6.0 with it, zap v1.27.1, logrus v1.9.4); otelzap.mod
otelzap v0.4.0, its first release (OpenTelemetry v1.29, otelslog v0.4.0;
no logrus); otelslog.mod otelslog v0.3.0 (OpenTelemetry v1.28, the lowest
otelgo's log export takes, rules/sdk/logs: below it no record is exported
by anyone, the program's bridge included; slog and logr only). logr is v1.4.3 in the lowest builds,
the lowest the logr rule takes. otellogr's first release here (v0.10.0)
needs a log API the v0.6.0 bridges do not build with: otellogr's lowest is
not tested."""

from __future__ import annotations

import json
import re

import pytest
from harness import TESTDATA, check_build, otel_build
from otlp import OTLPReceiver
from scenario import VARIANTS, drive, otel_env

APP = TESTDATA / "logbridges"

# Each record's message, and the scope it must arrive with: the program's
# bridge's (its name), or otelgo's hook's for loggers without a bridge.
RECORDS = {
    "slog-bridge": "app/slog",
    "slog-bridge-noctx": "app/slog",
    "slog-newlogger": "app/slog-newlogger",
    "slog-multi": "app/slog-multi",
    "slog-multi-noctx": "app/slog-multi",
    "slog-plain": "otelgo.dev/rules/slog",
    "zap-tee": "app/zap",
    "zap-tee-noctx": "app/zap",
    "zap-wrapcore": "app/zap-wrapcore",
    "zap-bridge": "app/zap-only",
    "zap-plain": "otelgo.dev/rules/zap/zapexport",
    "logrus-bridge": "app/logrus",
    "logrus-bridge-noctx": "app/logrus",
    "logrus-plain": "otelgo.dev/rules/logrus/logrusexport",
    "logr-bridge": "app/logr",
    "logr-slog-bridge": "app/logr-slog",
    "logr-plain": "otelgo.dev/rules/logr",
}
# Logged without a context through logr's slog adapter around otelslog's
# handler: logr hands the handler context.Background() and otelgo cannot
# give it the span; the IDs arrive as the attributes trace_id and span_id.
ATTRIBUTE_IDS = {"logr-slog-bridge"}
# Loggers that write to their bridge only: otelgo gives their records the
# span as their context, not trace_id and span_id attributes.
BRIDGE_ONLY = {"slog-bridge", "slog-bridge-noctx", "slog-newlogger", "zap-bridge", "logr-bridge"}
# What the loggers write to stdout (the others write to their bridge only).
WRITTEN = [
    "slog-multi",
    "slog-multi-noctx",
    "slog-plain",
    "zap-tee",
    "zap-tee-noctx",
    "zap-wrapcore",
    "zap-plain",
    "logrus-bridge",
    "logrus-bridge-noctx",
    "logrus-plain",
    "logr-plain",
]


def message(line: str) -> str | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj.get("msg") or obj.get("message") if isinstance(obj, dict) else None


# Each build: its go command arguments and the loggers in it (besides
# slog's and logr's, in every build).
BUILDS = {
    "newest": (VARIANTS["newest"], {"zap", "logrus"}),
    "otellogr": (["-modfile=otellogr.mod", "-tags", "otellogr"], {"zap", "logrus", "otellogr"}),
    "lowest": (VARIANTS["lowest"], {"zap", "logrus"}),
    "lowest-otelzap": (["-modfile=otelzap.mod", "-tags", "nologrus"], {"zap"}),
    "lowest-otelslog": (["-modfile=otelslog.mod", "-tags", "nozap,nologrus"], set()),
}


def in_build(message: str, loggers: set[str]) -> bool:
    if message == "logr-bridge":
        return "otellogr" in loggers
    lib = message.split("-")[0]
    return lib not in ("zap", "logrus") or lib in loggers


@pytest.fixture(scope="module", params=list(BUILDS))
def run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"logbridges-{request.param}")
    binary = out / f"logbridges-{request.param}"
    args, loggers = BUILDS[request.param]
    check_build(otel_build(APP, *args, "-o", str(binary), "."))
    stdout = {}
    for exporter in ("otlp", "none"):
        (out / exporter).mkdir()
        with OTLPReceiver() as rx:
            env = otel_env(rx, "logbridges", OTEL_LOGS_EXPORTER=exporter, OTEL_BLRP_SCHEDULE_DELAY="100")
            requests = drive(binary, [("/log", 200)], env, rx, out / exporter)
            stdout[exporter] = sorted((out / exporter).glob("*.stdout"))
            records = rx.log_records()
        if exporter == "otlp":
            expected = {k: v for k, v in RECORDS.items() if in_build(k, loggers)}
            written = [m for m in WRITTEN if in_build(m, loggers)]
            result = requests["/log"].server, records, expected, written
    lines = {k: [ln for p in v for ln in p.read_text().splitlines()] for k, v in stdout.items()}
    return (*result, lines)


def test_each_record_arrives_once_from_the_right_exporter(run):
    _, records, expected, _, _ = run
    ours = [r for r in records if r.body in RECORDS]
    dump = "\n".join(r.short() for r in records)
    assert sorted(r.body for r in ours) == sorted(expected), dump
    assert {r.body: r.scope_name for r in ours} == expected, dump


def test_records_carry_the_request_span(run):
    server, records, _, _, _ = run
    ids = (server.trace_id, server.span_id)
    wrong = [r.short() for r in records if r.body in RECORDS.keys() - ATTRIBUTE_IDS and (r.trace_id, r.span_id) != ids]
    assert not wrong, f"server span {server.trace_id}/{server.span_id}:\n" + "\n".join(wrong)


def test_a_bridge_otelgo_cannot_hand_the_span_gets_the_ids_as_attributes(run):
    server, records, _, _, _ = run
    (r,) = [r for r in records if r.body in ATTRIBUTE_IDS]
    assert (r.attributes.get("trace_id"), r.attributes.get("span_id")) == (server.trace_id, server.span_id), r.short()
    assert (r.trace_id, r.span_id) == ("", ""), r.short()


def test_records_keep_their_attributes_without_otelgo_ids(run):
    _, records, _, _, _ = run
    for r in records:
        if r.body in RECORDS and not r.body.startswith(("zap-wrapcore", "slog-newlogger")):
            assert r.attributes.get("k") == "v", r.short()
        if r.body in RECORDS and r.scope_name.startswith("otelgo.dev/"):
            assert "trace_id" not in r.attributes and "span_id" not in r.attributes, r.short()


def test_records_of_bridge_only_loggers_get_no_id_attributes(run):
    _, records, expected, _, _ = run
    ours = [r for r in records if r.body in BRIDGE_ONLY]
    assert len(ours) == len(BRIDGE_ONLY & expected.keys()) > 0
    for r in ours:
        assert "trace_id" not in r.attributes and "span_id" not in r.attributes, r.short()


def test_stdout_is_the_same_with_log_export(run):
    _, _, _, _, lines = run
    ids = re.compile(r'"(trace_id|span_id)":"[0-9a-f]+"')
    assert [ids.sub(r'"\1":"…"', ln) for ln in lines["otlp"]] == [ids.sub(r'"\1":"…"', ln) for ln in lines["none"]]


def test_each_written_line_once_with_the_request_ids(run):
    server, _, _, expected, lines = run
    written = [ln for ln in lines["otlp"] if message(ln) in RECORDS]
    assert sorted(message(ln) for ln in written) == sorted(expected), "\n".join(lines["otlp"])
    assert expected  # every build writes some
    for ln in written:
        obj = json.loads(ln)
        assert (obj.get("trace_id"), obj.get("span_id")) == (server.trace_id, server.span_id), ln
