"""Spans by comment: `//otel:span [name] [key=value...]` above a function of
the user's own code gives it a span — with or without a ctx parameter, on
methods and generic functions — recording a returned error."""

from __future__ import annotations

import urllib.error
import urllib.request

import harness
import pytest
from otlp import parent_of


@pytest.fixture(scope="module")
def binary(tmp_path_factory, testdata):
    out = tmp_path_factory.mktemp("annotated") / "annotated"
    result = harness.check_build(harness.otel_build(testdata / "annotated", "-o", str(out), "."))
    assert "span (*Cart).Add, span Count, span Quote" in result.stderr
    return out


def buy(prog, item: str) -> int:
    try:
        with urllib.request.urlopen(f"{prog.url}/buy/{item}", timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def spans_of_request(binary, receiver, item, count, env=None):
    with harness.run_program(
        binary,
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100", **(env or {})},
    ) as prog:
        status = buy(prog, item)
        spans = receiver.wait_for_spans(count)
    return status, spans


def test_marked_functions_get_spans_under_the_request(binary, receiver):
    status, spans = spans_of_request(binary, receiver, "book", 4)
    assert status == 200
    server = next(s for s in spans if s.kind == "SERVER")
    by_name = {s.name: s for s in spans}
    assert set(by_name) == {"GET /buy/{item}", "shop.Cart.Add", "quote", "shop.count"}
    for name in ("shop.Cart.Add", "quote", "shop.count"):
        span = by_name[name]
        assert span.kind == "INTERNAL" and parent_of(spans, span) == server
        assert span.scope_name == "otelgo.dev/rules/annotate"
    assert by_name["quote"].attributes == {"shop.currency": "EUR"}
    assert by_name["shop.Cart.Add"].status_code == "UNSET"


def test_returned_error_is_recorded(binary, receiver):
    status, spans = spans_of_request(binary, receiver, "%20", 2)
    assert status == 400
    add = next(s for s in spans if s.name == "shop.Cart.Add")
    assert add.status_code == "ERROR" and add.status_message == "blank item"
    assert [name for name, _ in add.events] == ["exception"]


def test_spans_can_be_switched_off_at_run_time(binary, receiver):
    status, spans = spans_of_request(binary, receiver, "book", 1, env={"OTELGO_SPANS_DISABLED": "true"})
    assert status == 200
    assert [s.kind for s in spans] == ["SERVER"]
