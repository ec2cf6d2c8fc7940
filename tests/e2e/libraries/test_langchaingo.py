"""LangChainGo end to end: testdata/langchainapp calls the OpenAI API through
langchaingo's OpenAI LLM (its own HTTP client, not an OpenAI SDK), built
with `otel go build` at both ends of the rule's range (v0.1.14 in go.mod,
v0.1.13 in oldest.mod), against testdata/genaiserver, the recorded stand-in
for the providers' APIs (its own process). Each call is one GenAI CLIENT
span under the route's SERVER span, above the net/http span; the stream's
span ends with the stream and has its usage."""

from __future__ import annotations

import pytest
from harness import TESTDATA
from otlp import OTLPReceiver, histogram, metric_points
from scenario import VARIANTS, build, drive, otel_env

APP = TESTDATA / "langchainapp"
SCOPE = "otelgo.dev/rules/langchaingo"
ROUTES = [("/langchain/chat", 200), ("/langchain/stream", 200), ("/langchain/embed", 200)]


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, genai_server):
    out = tmp_path_factory.mktemp(f"langchain-{request.param}")
    binary = build(APP, request.param, out)
    with OTLPReceiver() as rx:
        requests = drive(binary, ROUTES, otel_env(rx, "langchainapp", LLM_URL=genai_server.url), rx, out)
        return requests, metric_points(rx), genai_server.port


def one_span(req):
    ours = [s for s in req.spans if s.scope_name == SCOPE]
    assert len(ours) == 1, req.tree()
    span = ours[0]
    assert span.kind == "CLIENT" and span.parent_span_id == req.server.span_id, req.tree()
    http = [s for s in req.spans if s.parent_span_id == span.span_id]
    assert [(s.kind, s.name) for s in http] == [("CLIENT", "POST")], req.tree()
    return span, http[0]


CHAT = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.response.finish_reasons": ["stop"],
    "gen_ai.usage.input_tokens": 19,
    "gen_ai.usage.output_tokens": 10,
}


def test_chat(run):
    requests, _, port = run
    span, _ = one_span(requests["/langchain/chat"])
    assert span.name == "chat gpt-4o-mini" and span.status_code == "UNSET"
    want = {
        **CHAT,
        "gen_ai.request.temperature": 0.7,
        "gen_ai.request.max_tokens": 32,
        "gen_ai.response.id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "server.address": "127.0.0.1",
        "server.port": port,
    }
    assert {k: span.attributes.get(k) for k in want} == want, span.attributes


def test_stream(run):
    span, http = one_span(run[0]["/langchain/stream"])
    want = {**CHAT, "gen_ai.response.id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"}
    assert {k: span.attributes.get(k) for k in want} == want, span.attributes
    assert span.end_ns > http.end_ns


def test_embeddings(run):
    span, _ = one_span(run[0]["/langchain/embed"])
    assert span.name == "embeddings text-embedding-3-small"
    assert span.attributes["gen_ai.embeddings.dimension.count"] == 1536
    assert span.attributes["gen_ai.usage.input_tokens"] == 4


def test_operation_duration(run):
    _, points, port = run
    attrs = {k: v for k, v in CHAT.items() if not k.startswith(("gen_ai.usage", "gen_ai.response.f"))}
    attrs |= {"server.address": "127.0.0.1", "server.port": port}
    assert histogram(points, "gen_ai.client.operation.duration", "langchainapp", attrs, SCOPE).count == 2
