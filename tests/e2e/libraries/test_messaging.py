"""Messaging libraries end to end: testdata/messaging's producer and consumer
services, built with `otel go build` at both ends of the rules' ranges
(go.mod: the newest versions, oldest.mod: the lowest), run against real
brokers (kfake for Kafka, nats-server with JetStream, rabbitmq-server).

The producer sends one message per HTTP request through each library; the
consumer processes it and reports it with an HTTP GET (made without a
context) to a recording server. Asserted per library: the PRODUCER span
under the request's SERVER span, the W3C context in the message, the
consumer's spans in the producer's trace (or linked to it), names, kinds
and attributes of the messaging conventions, errors, and the messaging
metrics at the OTLP receiver.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import pytest
from harness import TESTDATA, TargetServer, check_build, otel_build, run_program
from otlp import OTLPReceiver, Span, format_points, format_spans, metric_points, series
from scenario import VARIANTS, get, otel_env

APP = TESTDATA / "messaging"
SCOPE = "otelgo.dev/rules/"

# Where a library's rules give way to others inside its range, the versions
# on each side: nats.go's (*Conn).publish gained a parameter in v1.48.0,
# sarama's SyncProducer calls SendMessageContext from v1.62.0, amqp091-go
# has ConsumeWithContext from v1.9.0. OTELGO_MESSAGING_SPLITS=1 builds and
# runs the programs there too (split-before.mod: nats.go v1.47.0, sarama
# v1.61.1; split-after.mod: nats.go v1.48.0, amqp091-go v1.9.0); about a
# minute more per side with a warm cache.
BUILDS = dict(VARIANTS)
if os.environ.get("OTELGO_MESSAGING_SPLITS") == "1":
    BUILDS |= {side: [f"-modfile={side}.mod"] for side in ("split-before", "split-after")}

# (route, library reported by the consumer (None: nothing consumed), HTTP status)
ROUTES = [
    ("/nats/publish?id=n1", "nats", 200),
    ("/nats/request?id=r1", "nats-rpc", 200),
    ("/nats/jetstream?id=j1", "jetstream", 200),
    ("/nats/error?id=e1", None, 500),
    ("/kafkago/send?id=k1", "kafkago", 200),
    ("/kafkago/batch?id=kb", "kafkago", 200),
    ("/sarama/send?id=s1", "sarama", 200),
    ("/sarama/error?id=se", None, 500),
    ("/shopify/send?id=h1", "shopify", 200),
    ("/franz/send?id=f1", "franz", 200),
    ("/franz/error?id=fe", None, 500),
    ("/amqp/publish?id=a1", "amqp", 200),
    ("/streadway/publish?id=w1", "streadway", 200),
]


@dataclass
class Run:
    spans: list[Span]
    links: dict[str, list[tuple[str, str]]]  # span id -> [(trace id, span id)]
    points: list
    seen: dict[tuple[str, str], dict]  # (lib, id) -> headers of the consumer's GET
    variant: str
    servers: dict[str, Span] = field(default_factory=dict)  # route -> producer's SERVER span

    def in_trace(self, trace_id: str) -> list[Span]:
        return [s for s in self.spans if s.trace_id == trace_id]

    def named(self, service: str, name: str, kind: str) -> list[Span]:
        return [s for s in self.spans if s.service_name == service and s.name == name and s.kind == kind]

    def tree(self, trace_id: str) -> str:
        return format_spans(self.in_trace(trace_id))


def _links(rx: OTLPReceiver) -> dict[str, list[tuple[str, str]]]:
    """The links of every span received (otlp.Span does not keep them)."""
    links = {}
    for r in rx.requests("traces"):
        if not r.accepted or r.message is None:
            continue
        for rs in r.message.resource_spans:
            for ss in rs.scope_spans:
                for s in ss.spans:
                    links[s.span_id.hex()] = [(link.trace_id.hex(), link.span_id.hex()) for link in s.links]
    return links


def _wait_seen(notify: TargetServer, want: set[tuple[str, str]], consumer, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        seen = {}
        for req in list(notify.requests):
            q = dict(p.split("=", 1) for p in req.path.split("?", 1)[1].split("&"))
            seen[(q["lib"], q["id"])] = req.headers
        if want <= seen.keys():
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the consumer did not process {sorted(want - seen.keys())}; got {sorted(seen)}\n"
                f"consumer stderr:\n{consumer.stderr[-3000:]}"
            )
        time.sleep(0.1)


@pytest.fixture(scope="module", params=list(BUILDS))
def run(request, tmp_path_factory, brokers) -> Run:
    variant = request.param
    out = tmp_path_factory.mktemp(f"messaging-{variant}")
    brokers.start("kafka", "nats", "rabbitmq")  # they boot while the programs build
    check_build(otel_build(APP, *BUILDS[variant], "-o", f"{out}/", "./cmd/producer", "./cmd/consumer"))
    kafka, nats, rabbitmq = brokers.get("kafka"), brokers.get("nats"), brokers.get("rabbitmq")
    brokers = {"NATS_URL": nats.url, "KAFKA_ADDR": kafka.addr, "AMQP_URL": rabbitmq.url}
    want = {(lib, route.split("id=")[1]) for route, lib, _ in ROUTES if lib}
    with OTLPReceiver() as rx, TargetServer() as notify:
        consumer_env = otel_env(rx, f"consumer-{variant}", NOTIFY_URL=notify.url, **brokers)
        with run_program(out / "consumer", env=consumer_env, listen=False, output_dir=out) as consumer:
            consumer.wait_for_output("ready", timeout=60)
            with run_program(out / "producer", env=otel_env(rx, f"producer-{variant}", **brokers), output_dir=out) as p:
                for route, _, status in ROUTES:
                    assert get(p.url + route) == status, f"{route}: {p.stderr}"
            seen = _wait_seen(notify, want, consumer)
        assert consumer.returncode == 0, consumer.stderr
        spans = rx.wait_for_spans(lambda spans: sum(s.kind == "SERVER" for s in spans) >= len(ROUTES))
        result = Run(spans, _links(rx), metric_points(rx), seen, variant)
        for route, _, _ in ROUTES:
            path, query = route.split("?")
            result.servers[route] = next(
                s
                for s in spans
                if s.kind == "SERVER"
                and s.attributes.get("url.path") == path
                and s.attributes.get("url.query") == query
            )
        return result


def producer_span(run: Run, route: str, name: str, scope: str) -> Span:
    """The one PRODUCER span `name` of scope under the SERVER span of route."""
    server = run.servers[route]
    found = [s for s in run.in_trace(server.trace_id) if s.kind == "PRODUCER" and s.name == name]
    assert len(found) == 1, f"{route}: one PRODUCER span {name!r} expected:\n{run.tree(server.trace_id)}"
    span = found[0]
    assert span.parent_span_id == server.span_id, f"{route}: not under the SERVER span:\n{run.tree(server.trace_id)}"
    assert span.scope_name == SCOPE + scope
    return span


def consumer_span(run: Run, producer: Span, name: str, kind: str = "CONSUMER") -> Span:
    """The consumer's span `name` for the message `producer` sent: in the
    producer's trace, a child of it, and linked to it."""
    found = [
        s
        for s in run.in_trace(producer.trace_id)
        if s.name == name and s.kind == kind and s.service_name.startswith("consumer")
    ]
    assert len(found) == 1, f"one consumer span {name!r} expected in the trace:\n{run.tree(producer.trace_id)}"
    span = found[0]
    assert span.parent_span_id == producer.span_id, run.tree(producer.trace_id)
    assert run.links[span.span_id] == [(producer.trace_id, producer.span_id)]
    return span


def notified_under(run: Run, lib: str, id_: str, parent: Span) -> None:
    """The consumer's GET of its report (made without a context) is a
    CLIENT span under `parent`, and its traceparent says so."""
    headers = run.seen[(lib, id_)]
    client = [
        s
        for s in run.in_trace(parent.trace_id)
        if s.kind == "CLIENT" and s.parent_span_id == parent.span_id and s.name == "GET"
    ]
    assert len(client) == 1, run.tree(parent.trace_id)
    assert headers["traceparent"].split("-")[1:3] == [parent.trace_id, client[0].span_id]


def messaging(span: Span) -> dict:
    return {k: v for k, v in span.attributes.items() if k.startswith(("messaging.", "server.", "error."))}


# --- NATS


def test_nats_publish_and_subscribe(run, nats):
    send = producer_span(run, "/nats/publish?id=n1", "publish orders.nats", "nats")
    assert messaging(send) == {
        "messaging.system": "nats",
        "messaging.operation.name": "publish",
        "messaging.operation.type": "send",
        "messaging.destination.name": "orders.nats",
        "server.address": "127.0.0.1",
        "server.port": nats.port,
    }
    process = consumer_span(run, send, "process orders.nats")
    assert process.scope_name == SCOPE + "nats"
    assert messaging(process) == {
        "messaging.system": "nats",
        "messaging.operation.name": "process",
        "messaging.operation.type": "process",
        "messaging.destination.name": "orders.nats",
        "server.address": "127.0.0.1",
        "server.port": nats.port,
    }
    notified_under(run, "nats", "n1", process)


def test_nats_request_reply(run):
    send = producer_span(run, "/nats/request?id=r1", "publish rpc.nats", "nats")
    process = consumer_span(run, send, "process rpc.nats")
    assert process.attributes["messaging.consumer.group.name"] == "workers"
    notified_under(run, "nats-rpc", "r1", process)
    # The reply goes to the requester's inbox: a temporary destination.
    reply = [s for s in run.in_trace(send.trace_id) if s.parent_span_id == process.span_id and s.kind == "PRODUCER"]
    assert len(reply) == 1, run.tree(send.trace_id)
    assert reply[0].name == "publish"
    assert reply[0].attributes["messaging.destination.temporary"] is True
    assert reply[0].attributes["messaging.destination.name"].startswith("_INBOX.")


def test_nats_jetstream(run):
    send = producer_span(run, "/nats/jetstream?id=j1", "publish events.nats", "nats")
    process = consumer_span(run, send, "process events.nats")
    assert process.attributes["messaging.client.id"] == "worker"
    assert process.attributes["messaging.message.id"] == "1"
    notified_under(run, "jetstream", "j1", process)
    # Acks and the JetStream API are not traced.
    assert not [s for s in run.spans if s.name.startswith(("publish $JS", "process $JS", "publish _INBOX"))]


def test_nats_publish_error(run):
    server = run.servers["/nats/error?id=e1"]
    spans = [s for s in run.in_trace(server.trace_id) if s.kind == "PRODUCER"]
    assert len(spans) == 1, run.tree(server.trace_id)
    assert spans[0].name == "publish" and spans[0].parent_span_id == server.span_id
    assert spans[0].status_code == "ERROR" and spans[0].status_message == "nats: invalid subject"
    assert spans[0].attributes["error.type"] == "*errors.errorString"


def test_nats_metrics(run):
    producer, consumer = f"producer-{run.variant}", f"consumer-{run.variant}"
    sent = [p for p in series(run.points, "messaging.client.sent.messages", producer) if p.scope_name == SCOPE + "nats"]
    by_dest = {p.attributes.get("messaging.destination.name"): p.value for p in sent}
    assert by_dest == {"orders.nats": 1, "rpc.nats": 1, "events.nats": 1, None: 1}, format_points(sent)
    durations = [
        p for p in series(run.points, "messaging.client.operation.duration", producer) if p.scope_name == SCOPE + "nats"
    ]
    assert sum(p.count for p in durations) == 4, format_points(durations)
    assert all(p.attributes["messaging.operation.type"] == "send" for p in durations)
    consumed = [
        p for p in series(run.points, "messaging.client.consumed.messages", consumer) if p.scope_name == SCOPE + "nats"
    ]
    by_dest = {p.attributes["messaging.destination.name"]: p.value for p in consumed}
    assert by_dest == {"orders.nats": 1, "rpc.nats": 1, "events.nats": 1}, format_points(consumed)
    process = [p for p in series(run.points, "messaging.process.duration", consumer) if p.scope_name == SCOPE + "nats"]
    assert sum(p.count for p in process) == 3, format_points(process)


def _per_destination(run: Run, metric: str, service: str, scope: str) -> dict:
    """Counter totals by destination (None: none), over all other attributes."""
    totals: dict = {}
    for p in series(run.points, metric, f"{service}-{run.variant}"):
        if p.scope_name == SCOPE + scope:
            dest = p.attributes.get("messaging.destination.name")
            totals[dest] = totals.get(dest, 0) + p.value
    return totals


def consumed(run: Run, scope: str) -> dict:
    return _per_destination(run, "messaging.client.consumed.messages", "consumer", scope)


def sent(run: Run, scope: str) -> dict:
    return _per_destination(run, "messaging.client.sent.messages", "producer", scope)


def durations(run: Run, scope: str, service: str, metric: str = "messaging.client.operation.duration") -> list:
    return [p for p in series(run.points, metric, f"{service}-{run.variant}") if p.scope_name == SCOPE + scope]


def kafka_attrs(kafka, name: str, op_type: str, topic: str) -> dict:
    return {
        "messaging.system": "kafka",
        "messaging.operation.name": name,
        "messaging.operation.type": op_type,
        "messaging.destination.name": topic,
        "server.address": "127.0.0.1",
        "server.port": kafka.port,
    }


# --- kafka-go


def test_kafkago_send_poll_process(run, kafka):
    send = producer_span(run, "/kafkago/send?id=k1", "send orders.kafkago", "kafkago")
    assert messaging(send) == {
        **kafka_attrs(kafka, "send", "send", "orders.kafkago"),
        "messaging.kafka.message.key": "k1",
    }
    process = consumer_span(run, send, "process orders.kafkago")
    assert process.scope_name == SCOPE + "kafkago"
    attrs = messaging(process)
    assert attrs.pop("messaging.kafka.offset") >= 0
    assert attrs == {
        **kafka_attrs(kafka, "process", "process", "orders.kafkago"),
        "messaging.consumer.group.name": "kafkago-group",
        "messaging.destination.partition.id": "0",
        "messaging.kafka.message.key": "k1",
    }
    notified_under(run, "kafkago", "k1", process)
    # The poll (ReadMessage) is the consumer loop's own span, linked to the send.
    polls = [s for s in run.named(f"consumer-{run.variant}", "poll orders.kafkago", "CLIENT") if run.links[s.span_id]]
    mine = [s for s in polls if run.links[s.span_id] == [(send.trace_id, send.span_id)]]
    assert len(mine) == 1, format_spans(polls)
    assert mine[0].parent_span_id == "" and mine[0].trace_id != send.trace_id
    assert mine[0].attributes["messaging.operation.type"] == "receive"
    assert mine[0].attributes["messaging.consumer.group.name"] == "kafkago-group"


def test_kafkago_batch(run, kafka):
    send = producer_span(run, "/kafkago/batch?id=kb", "send orders.kafkago", "kafkago")
    assert send.attributes["messaging.batch.message_count"] == 2
    assert "messaging.kafka.message.key" not in send.attributes
    children = [s for s in run.in_trace(send.trace_id) if s.name == "process orders.kafkago"]
    assert sorted(s.attributes["messaging.kafka.message.key"] for s in children) == ["kb-1", "kb-2"]
    assert all(s.parent_span_id == send.span_id for s in children), run.tree(send.trace_id)


def test_kafkago_metrics(run):
    assert sent(run, "kafkago") == {"orders.kafkago": 3}
    assert consumed(run, "kafkago") == {"orders.kafkago": 3}
    assert sum(p.count for p in durations(run, "kafkago", "producer")) == 2
    polls = durations(run, "kafkago", "consumer")
    assert {p.attributes["messaging.operation.type"] for p in polls} == {"receive"}
    assert sum(p.count for p in polls) == 3
    assert sum(p.count for p in durations(run, "kafkago", "consumer", "messaging.process.duration")) == 3


# --- sarama (IBM and Shopify)


@pytest.mark.parametrize("lib,scope", [("sarama", "sarama"), ("shopify", "sarama/shopifysarama")])
def test_sarama_send_and_process(run, kafka, lib, scope):
    id_ = {"sarama": "s1", "shopify": "h1"}[lib]
    topic = f"orders.{lib}"
    send = producer_span(run, f"/{lib}/send?id={id_}", f"send {topic}", scope)
    attrs = messaging(send)
    assert attrs.pop("messaging.kafka.offset") >= 0
    assert attrs == {
        **kafka_attrs(kafka, "send", "send", topic),
        "messaging.kafka.message.key": id_,
        "messaging.destination.partition.id": "0",
    }
    process = consumer_span(run, send, f"process {topic}")
    assert process.scope_name == SCOPE + scope
    attrs = messaging(process)
    assert attrs.pop("messaging.kafka.offset") >= 0
    assert attrs == {
        **kafka_attrs(kafka, "process", "process", topic),
        "messaging.consumer.group.name": f"{lib}-group",
        "messaging.destination.partition.id": "0",
        "messaging.kafka.message.key": id_,
    }
    assert sent(run, scope) == {topic: 2 if lib == "sarama" else 1}  # and /sarama/error's
    assert consumed(run, scope) == {topic: 1}
    assert sum(p.count for p in durations(run, scope, "consumer", "messaging.process.duration")) == 1


def failed_send(run: Run, route: str, name: str, scope: str) -> Span:
    span = producer_span(run, route, name, scope)
    assert span.status_code == "ERROR" and span.status_message, span
    assert span.attributes["error.type"], span.attributes
    return span


def test_sarama_send_error(run):
    span = failed_send(run, "/sarama/error?id=se", "send orders.sarama", "sarama")
    # sarama's words for it changed between v1.40 and v1.62.
    assert "too large" in span.status_message or "Producer.MaxMessageBytes" in span.status_message
    assert "messaging.destination.partition.id" not in span.attributes


# --- franz-go


def test_franz_send_poll_process(run, kafka):
    send = producer_span(run, "/franz/send?id=f1", "send orders.franz", "franzgo")
    attrs = messaging(send)
    assert attrs.pop("messaging.kafka.offset") >= 0
    assert attrs == {
        **kafka_attrs(kafka, "send", "send", "orders.franz"),
        "messaging.client.id": "kgo",
        "messaging.kafka.message.key": "f1",
        "messaging.destination.partition.id": "0",
    }
    process = consumer_span(run, send, "process orders.franz")
    attrs = messaging(process)
    assert attrs.pop("messaging.kafka.offset") >= 0
    assert attrs == {
        **kafka_attrs(kafka, "process", "process", "orders.franz"),
        "messaging.client.id": "kgo",
        "messaging.consumer.group.name": "franz-group",
        "messaging.destination.partition.id": "0",
        "messaging.kafka.message.key": "f1",
    }
    notified_under(run, "franz", "f1", process)
    polls = [
        s
        for s in run.named(f"consumer-{run.variant}", "poll orders.franz", "CLIENT")
        if (send.trace_id, send.span_id) in run.links[s.span_id]
    ]
    assert len(polls) == 1
    assert polls[0].attributes["messaging.batch.message_count"] == len(run.links[polls[0].span_id])
    assert sent(run, "franzgo") == {"orders.franz": 1, None: 1}
    assert consumed(run, "franzgo") == {"orders.franz": 1}


def test_franz_send_error(run):
    span = failed_send(run, "/franz/error?id=fe", "send", "franzgo")
    assert "messaging.destination.name" not in span.attributes


# --- amqp091-go and streadway/amqp


@pytest.mark.parametrize("lib,scope", [("amqp", "amqp091"), ("streadway", "amqp091/streadwayamqp")])
def test_amqp_publish_and_process(run, rabbitmq, lib, scope):
    id_ = {"amqp": "a1", "streadway": "w1"}[lib]
    queue = f"orders.{lib}"
    send = producer_span(run, f"/{lib}/publish?id={id_}", f"publish {queue}", scope)
    common = {
        "messaging.system": "rabbitmq",
        "messaging.destination.name": queue,
        "messaging.rabbitmq.destination.routing_key": queue,
        "messaging.message.id": id_,
        "server.address": "127.0.0.1",
        "server.port": rabbitmq.port,
    }
    assert messaging(send) == {**common, "messaging.operation.name": "publish", "messaging.operation.type": "send"}
    process = consumer_span(run, send, f"process {queue}")
    assert process.scope_name == SCOPE + scope
    attrs = messaging(process)
    assert attrs.pop("messaging.rabbitmq.message.delivery_tag") >= 1
    assert attrs == {**common, "messaging.operation.name": "process", "messaging.operation.type": "process"}
    assert sent(run, scope) == {queue: 1}
    assert consumed(run, scope) == {queue: 1}
    assert sum(p.count for p in durations(run, scope, "consumer", "messaging.process.duration")) == 1
