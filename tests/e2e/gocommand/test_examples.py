"""The worked examples of docs/writing-rules.md, end to end.

Each example is a Go module under testdata/examples/<name>/ holding a plain
program with no OpenTelemetry code, and beside it, in otelhooks/, a Go
module of its own with the rule file and the hooks. The tests build each
program the way the doc says (`otel go build --rules otelhooks/rules.json`),
run it and check that it does what the doc promises:

  ownspan     a span around pricing.Quote, a function of the program itself
  slogfields  an attribute added to every log/slog record
  gormtiming  a span around each run of gorm's callbacks

The doc quotes the example files; test_doc_quotes_the_example_files keeps
the two in step.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from harness import REPO_ROOT, TESTDATA, check_build, clean_env, otel_build
from otlp import children_of, format_spans, matching, one

EXAMPLES = TESTDATA / "examples"
DOC = REPO_ROOT / "docs" / "writing-rules.md"
RULES = "otelhooks/rules.json"  # relative to the example: the doc's command line


def build(tmp_path_factory, name: str) -> tuple[Path, str]:
    """Build example `name` as the doc does; returns the binary and the
    build's summary (stderr)."""
    out = tmp_path_factory.mktemp(name) / name
    result = check_build(otel_build(EXAMPLES / name, "--rules", RULES, "-o", str(out), "."))
    return out, result.stderr


def otel_env(receiver, **extra: str) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        **extra,
    }


def request(url: str, method: str = "GET") -> tuple[int, str]:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def in_trace_of(spans, span):
    return [s for s in spans if s.trace_id == span.trace_id]


def descendants(spans, span):
    out, todo = [], [span]
    while todo:
        for child in children_of(spans, todo.pop()):
            out.append(child)
            todo.append(child)
    return out


# --- the doc quotes the files ------------------------------------------------

# In docs/writing-rules.md, a code block right after the line
#   <!-- file: testdata/examples/... -->   is that whole file,
#   <!-- excerpt: testdata/examples/... --> is a part of it, verbatim.
MARKER = re.compile(r"^<!-- (file|excerpt): (\S+) -->\n```[\w-]*\n(.*?)^```$", re.M | re.S)

QUOTED_IN_FULL = {
    "testdata/examples/ownspan/pricing/pricing.go",
    "testdata/examples/ownspan/otelhooks/go.mod",
    "testdata/examples/ownspan/otelhooks/rules.json",
    "testdata/examples/ownspan/otelhooks/quote.go",
    "testdata/examples/slogfields/main.go",
    "testdata/examples/slogfields/otelhooks/rules.json",
    "testdata/examples/slogfields/otelhooks/slog.go",
    "testdata/examples/gormtiming/otelhooks/rules.json",
    "testdata/examples/gormtiming/otelhooks/gorm.go",
}


def test_doc_quotes_the_example_files():
    doc = DOC.read_text()
    quotes = MARKER.findall(doc)
    # Every marker is followed by a code block that the pattern found.
    assert len(quotes) == doc.count("<!-- file: ") + doc.count("<!-- excerpt: ")
    assert {path for kind, path, _ in quotes if kind == "file"} == QUOTED_IN_FULL
    for kind, path, text in quotes:
        source = (REPO_ROOT / path).read_text()
        if kind == "file":
            assert text == source, f"docs/writing-rules.md quotes {path} as it no longer is"
        else:
            assert text in source, f"docs/writing-rules.md quotes a part of {path} that is not in it:\n{text}"


# --- a: a span around a function of the program itself -----------------------


class PriceList:
    """The price list service pricing.Quote asks: /prices/apple is 120, every
    other item is unknown (404)."""

    def __enter__(self) -> PriceList:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                known = self.path == "/prices/apple"
                body = b"120\n" if known else b"no such item\n"
                self.send_response(200 if known else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return build(tmp_path_factory, "ownspan")


@pytest.fixture
def shop_spans(shop, receiver, run_program):
    """Run the shop, GET /quote for `item`, return (status, body, spans of
    that request's trace)."""

    def quote(item: str):
        with PriceList() as prices, run_program(shop[0], env=otel_env(receiver, PRICES_URL=prices.url)) as prog:
            status, body = request(f"{prog.url}/quote?item={item}")
            receiver.wait_for_spans(
                lambda spans: (
                    matching(spans, kind="SERVER")
                    and matching(spans, name="pricing.Quote")
                    and matching(spans, kind="CLIENT")
                )
            )
        return status, body, receiver.spans

    return quote


def test_ownspan_build_reports_the_rule(shop):
    assert "example.com/shop/pricing (main module): Quote" in shop[1]


def test_ownspan_quote_span_sits_between_server_and_client_span(shop_spans):
    status, body, spans = shop_spans("apple")
    assert (status, body) == (200, "apple: 120\n")
    server = one(spans, kind="SERVER")
    quote = one(spans, name="pricing.Quote")
    client = one(spans, kind="CLIENT")
    assert quote.kind == "INTERNAL"
    assert quote.scope_name == "example.com/shop/otelhooks"
    assert quote.parent_span_id == server.span_id, format_spans(spans)
    # QuoteOnEnter replaced Quote's ctx: the price list request is its child.
    assert client.parent_span_id == quote.span_id, format_spans(spans)
    assert client.attributes["url.full"].endswith("/prices/apple")
    assert quote.attributes == {
        "code.function.name": "example.com/shop/pricing.Quote",
        "shop.item": "apple",
        "shop.price": 120,
    }
    assert quote.status_code == "UNSET"
    assert server.start_ns <= quote.start_ns <= client.start_ns
    assert client.end_ns <= quote.end_ns <= server.end_ns


def test_ownspan_failed_quote_records_the_error(shop_spans):
    status, body, spans = shop_spans("kiwi")
    assert (status, body) == (404, 'unknown item: "kiwi"\n')
    server = one(spans, kind="SERVER")
    quote = one(spans, name="pricing.Quote")
    assert quote.parent_span_id == server.span_id, format_spans(spans)
    assert quote.status_code == "ERROR"
    assert quote.status_message == 'unknown item: "kiwi"'
    assert "shop.price" not in quote.attributes
    [(event, attrs)] = quote.events
    assert event == "exception"
    assert attrs["exception.message"] == 'unknown item: "kiwi"'


# --- b: a field in every log/slog record --------------------------------------

# What stockcheck logs, in order: through slog.Info, a Logger's Warn and
# Error, slog.LogAttrs, and the standard log package.
STOCKCHECK_MESSAGES = ["checking stock", "low stock", "out of stock", "reorder sent", "done: 3 items checked"]


@pytest.fixture(scope="module")
def stockcheck(tmp_path_factory):
    return build(tmp_path_factory, "slogfields")


def run_stockcheck(binary: Path, **env: str) -> list[dict]:
    proc = subprocess.run(
        [str(binary)],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env({"OTEL_TRACES_EXPORTER": "none", **env}),
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["msg"] for r in records] == STOCKCHECK_MESSAGES, proc.stdout
    return records


def test_slogfields_build_reports_the_rule(stockcheck):
    assert re.search(r"log/slog go[\d.]+: .*\bNewRecord\b", stockcheck[1]), stockcheck[1]


def test_slogfields_every_record_carries_the_deployment(stockcheck):
    records = run_stockcheck(stockcheck[0], DEPLOYMENT="canary")
    assert all(r.get("deployment") == "canary" for r in records), records
    # The records' own attributes are all still there.
    assert records[1] == {**records[1], "component": "checker", "item": "apple", "count": 2}
    assert records[3]["supplier"] == "acme"


def test_slogfields_no_deployment_no_field(stockcheck):
    records = run_stockcheck(stockcheck[0])
    assert not [r for r in records if "deployment" in r], records


# --- c: timing gorm's callbacks -----------------------------------------------


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    return build(tmp_path_factory, "gormtiming")


def test_gormtiming_build_reports_the_rule(notes):
    assert re.search(r"gorm\.io/gorm v1\.31\.1: .*\(\*processor\)\.Execute", notes[1]), notes[1]


def test_gormtiming_spans_time_create_and_query(notes, receiver, run_program):
    with run_program(notes[0], env=otel_env(receiver)) as prog:
        assert request(f"{prog.url}/notes?text=milk", "POST") == (200, "1\n")
        assert request(f"{prog.url}/notes?text=eggs", "POST") == (200, "2\n")
        assert request(f"{prog.url}/notes") == (200, "1 milk\n2 eggs\n")
        receiver.wait_for_spans(
            lambda spans: (
                len(matching(spans, kind="SERVER")) == 3
                and len(matching(spans, name="gorm.callbacks create")) == 2
                and len(matching(spans, name="gorm.callbacks query")) == 1
            )
        )
    spans = receiver.spans
    for server in matching(spans, kind="SERVER"):
        trace = in_trace_of(spans, server)
        op, rows = ("query", 2) if server.attributes["http.request.method"] == "GET" else ("create", 1)
        timed = one(trace, name=f"gorm.callbacks {op}")
        assert timed.kind == "INTERNAL"
        assert timed.scope_name == "example.com/notes/otelhooks"
        assert timed.parent_span_id == server.span_id, format_spans(trace)
        assert timed.attributes == {
            "gorm.operation": op,
            "db.collection.name": "notes",
            "gorm.rows_affected": rows,
        }
        assert timed.status_code == "UNSET"
        assert server.start_ns <= timed.start_ns < timed.end_ns <= server.end_ns
        # The callbacks ran inside the span: the statement's SQL (gorm's and
        # database/sql's spans) nests under it, within its time.
        inner = descendants(trace, timed)
        assert matching(inner, kind="CLIENT"), format_spans(trace)
        for s in inner:
            assert timed.start_ns <= s.start_ns <= s.end_ns <= timed.end_ns, format_spans(trace)
        # ... and nothing else the request did is its sibling.
        assert [s.name for s in children_of(trace, server)] == [timed.name], format_spans(trace)
