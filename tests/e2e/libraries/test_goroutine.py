"""Context without ctx: calls made without the request's context, from the
handler's goroutine or from goroutines it starts, land under the request's
server span; a soak run shows no growth and no span in the wrong trace."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import harness
import pytest
from otlp import children_of, parent_of


@pytest.fixture(scope="module")
def binary(tmp_path_factory, testdata):
    return harness.build_program(tmp_path_factory.mktemp("goroutines"), testdata / "goroutines")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read().decode()


@pytest.fixture
def program(binary, receiver):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    port = harness.free_port()
    env["BACKEND_URL"] = f"http://127.0.0.1:{port}/backend"
    with harness.run_program(binary, env=dict(env, ADDR=f"127.0.0.1:{port}"), listen=False) as prog:
        harness.wait_for_port(port, prog.proc, 20)
        prog.base = f"http://127.0.0.1:{port}"
        yield prog


def request_tree(receiver, path: str, clients: int):
    """The trace of one request to path: its server span and client spans."""
    spans = receiver.wait_for_spans(
        lambda s: (
            sum(1 for x in s if x.kind == "SERVER" and x.attributes.get("url.path", "").startswith("/backend/"))
            >= clients
        )
    )
    (root,) = [s for s in spans if s.kind == "SERVER" and s.attributes.get("url.path") == path]
    return spans, root


def test_call_without_ctx_in_handler_is_a_child_of_the_request(program, receiver):
    assert get(program.base + "/direct").strip() == "ok /backend/direct"
    spans, root = request_tree(receiver, "/direct", 1)
    (client,) = children_of(spans, root)
    assert client.kind == "CLIENT" and client.attributes["url.full"].endswith("/backend/direct")
    (backend,) = children_of(spans, client)
    assert backend.attributes["url.path"] == "/backend/direct"
    assert {s.trace_id for s in spans} == {root.trace_id}


def test_goroutines_started_by_the_handler_inherit_its_span(program, receiver):
    get(program.base + "/fanout")
    spans, root = request_tree(receiver, "/fanout", 3)
    clients = children_of(spans, root)
    assert sorted(c.attributes["url.full"].rsplit("/", 1)[-1] for c in clients) == ["0", "1", "2"]
    for c in clients:
        (backend,) = children_of(spans, c)
        assert backend.trace_id == root.trace_id


def test_goroutine_outliving_the_request_still_belongs_to_it(program, receiver):
    get(program.base + "/detached")
    spans, root = request_tree(receiver, "/detached", 1)
    late = [s for s in spans if s.kind == "CLIENT" and s.attributes["url.full"].endswith("/late")]
    assert len(late) == 1 and parent_of(spans, late[0]) == root


def test_soak_no_growth_and_no_span_in_the_wrong_trace(program, receiver):
    def heap() -> int:
        return int(get(program.base + "/stats").split()[0])

    def batch(n: int) -> None:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: get(program.base + ("/fanout" if i % 2 else "/direct")), range(n)))

    batch(300)  # warm up: pools, caches, exporter buffers
    before = heap()
    batch(1500)
    after = heap()
    # Goroutine state left behind by 1500 requests (4500 goroutines) would
    # show as steady growth; allow for allocator and exporter noise.
    assert after < before + 4 * 1024 * 1024, (before, after)

    spans = receiver.wait_for_spans(
        lambda s: (
            sum(1 for x in s if x.kind == "SERVER" and x.attributes.get("url.path") in ("/direct", "/fanout")) >= 1800
        ),
        timeout=60,
    )
    roots = [s for s in spans if s.kind == "SERVER" and s.attributes.get("url.path") in ("/direct", "/fanout")]
    by_trace = {}
    for s in spans:
        by_trace.setdefault(s.trace_id, []).append(s)
    for root in roots:
        trace = by_trace[root.trace_id]
        want = 3 if root.attributes["url.path"] == "/fanout" else 1
        clients = [s for s in trace if s.kind == "CLIENT"]
        assert len(clients) == want and all(c.parent_span_id == root.span_id for c in clients), [
            s.short() for s in trace
        ]
        assert len(trace) == 1 + 2 * want, [s.short() for s in trace]
