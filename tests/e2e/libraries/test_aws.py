"""The AWS SDK for Go v2 end to end: testdata/awsapp, built with
`otel go build` at both ends of the tested range (go.mod: aws-sdk-go-v2
v1.48.0, smithy-go v1.28.9, s3 v1.115.0, sqs v1.53.0, dynamodb v1.74.1;
oldest.mod: aws-sdk-go-v2 v1.24.1, smithy-go v1.19.0, s3 v1.48.1, sqs
v1.29.7, dynamodb v1.26.6), against a real AWS-compatible server (moto,
tests/support/servers_cloud.py) that speaks S3's, DynamoDB's and SQS's wire
protocols.

Every API call is one span of otelgo.dev/rules/awssdk named
Service.Operation under the request's SERVER span, with the AWS SDK and
messaging conventions, and the SDK's HTTP request a net/http CLIENT span
under it. A message sent by one process carries the sender's trace context
in its attributes: the receiving process's receive span links to the send
span, and the program itself sees no attribute it did not ask for.
"""

from __future__ import annotations

import urllib.request

import pytest
from harness import TESTDATA, check_build, otel_build, run_program
from otlp import OTLPReceiver, Span, children_of, format_spans
from scenario import VARIANTS, Request, drive, otel_env

APP = TESTDATA / "awsapp"
SCOPE = "otelgo.dev/rules/awssdk"
NETHTTP = "otelgo.dev/rules/nethttp"
ROUTES = [
    ("/s3/put?key=k1", 200),
    ("/s3/get?key=k1", 200),
    ("/s3/get?key=missing", 404),
    ("/dynamodb/put?id=i1", 200),
    ("/dynamodb/get?id=i1", 200),
    ("/dynamodb/batch", 200),
    ("/dynamodb/query?id=i1", 200),
    ("/sqs/send?body=hello", 200),
    ("/background", 200),
]


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, aws):
    """The sender's requests (ROUTES), then another process's /sqs/receive:
    its body and its requests, and every span both sent."""
    variant = request.param
    out = tmp_path_factory.mktemp(f"aws-{variant}")
    binary = out / f"awsapp-{variant}"
    summary = check_build(otel_build(APP, *VARIANTS[variant], "-o", str(binary), ".")).stderr
    prefix = f"otelgo-{variant}"
    with OTLPReceiver() as rx:
        env = otel_env(rx, "awsapp", AWS_ENDPOINT=aws.endpoint, AWS_PREFIX=prefix)
        requests = drive(binary, ROUTES, env, rx, out)
        receiver_env = otel_env(rx, "awsapp-receiver", AWS_ENDPOINT=aws.endpoint, AWS_PREFIX=prefix)
        with run_program(binary, env=receiver_env, output_dir=out) as app:
            with urllib.request.urlopen(app.url + "/sqs/receive", timeout=30) as resp:
                body = resp.read().decode()
        spans = rx.wait_for_spans(
            lambda spans: any(s.kind == "SERVER" and s.service_name == "awsapp-receiver" for s in spans)
        )
        return requests, body, list(spans), aws.port, summary


def aws_calls(req: Request) -> list[Span]:
    return [s for s in req.spans if s.scope_name == SCOPE]


def one_call(req: Request, name: str) -> Span:
    calls = aws_calls(req)
    assert [s.name for s in calls] == [name], req.tree()
    span = calls[0]
    assert span.parent_span_id == req.server.span_id and span.trace_id == req.server.trace_id, req.tree()
    return span


def common(service: str, operation: str, port: int) -> dict:
    return {
        "rpc.system.name": "aws-api",
        "rpc.method": f"{service}/{operation}",
        "cloud.region": "us-east-1",
        "server.address": "127.0.0.1",
        "server.port": port,
    }


def check(span: Span, kind: str = "CLIENT", status: int = 200, **attrs) -> None:
    assert span.kind == kind, span.short()
    got = {k: span.attributes.get(k) for k in attrs}
    assert got == attrs, span.attributes
    assert span.attributes.get("http.response.status_code") == status, span.attributes
    if not span.name.startswith("S3."):
        # moto answers S3 with DynamoDB's and SQS's request id header
        # (x-amzn-requestid), not S3's x-amz-request-id: the SDK finds none.
        assert span.attributes.get("aws.request_id"), span.attributes


def http_child(spans: list[Span], span: Span) -> Span:
    """The net/http CLIENT span of the SDK's request, under the AWS span."""
    children = [s for s in children_of(spans, span) if s.scope_name == NETHTTP]
    assert len(children) == 1, format_spans([span, *children])
    assert children[0].kind == "CLIENT"
    return children[0]


def test_s3_calls(run):
    requests, _, spans, port, _ = run
    put = one_call(requests["/s3/put?key=k1"], "S3.PutObject")
    check(put, **common("S3", "PutObject", port), **{"aws.s3.key": "k1"})
    assert put.attributes["aws.s3.bucket"].endswith("-bucket")
    assert put.status_code == "UNSET"
    assert http_child(spans, put).attributes["http.request.method"] == "PUT"
    get = one_call(requests["/s3/get?key=k1"], "S3.GetObject")
    check(
        get, **common("S3", "GetObject", port), **{"aws.s3.key": "k1", "aws.s3.bucket": put.attributes["aws.s3.bucket"]}
    )


def test_s3_error(run):
    requests, _, _, port, _ = run
    span = one_call(requests["/s3/get?key=missing"], "S3.GetObject")
    check(span, status=404, **common("S3", "GetObject", port), **{"aws.s3.key": "missing", "error.type": "NoSuchKey"})
    assert span.status_code == "ERROR" and "NoSuchKey" in span.status_message


def test_dynamodb_calls(run):
    requests, _, _, port, _ = run
    put = one_call(requests["/dynamodb/put?id=i1"], "DynamoDB.PutItem")
    (table,) = put.attributes["aws.dynamodb.table_names"]
    assert table.endswith("-table")
    check(put, **common("DynamoDB", "PutItem", port))
    get = one_call(requests["/dynamodb/get?id=i1"], "DynamoDB.GetItem")
    check(
        get,
        **common("DynamoDB", "GetItem", port),
        **{"aws.dynamodb.table_names": [table], "aws.dynamodb.consistent_read": True},
    )
    query = one_call(requests["/dynamodb/query?id=i1"], "DynamoDB.Query")
    check(
        query,
        **common("DynamoDB", "Query", port),
        **{
            "aws.dynamodb.table_names": [table],
            "aws.dynamodb.consistent_read": True,
            "aws.dynamodb.limit": 5,
            "aws.dynamodb.projection": "id",
            "aws.dynamodb.count": 1,
            "aws.dynamodb.scanned_count": 1,
        },
    )
    batch = one_call(requests["/dynamodb/batch"], "DynamoDB.BatchWriteItem")
    check(batch, **common("DynamoDB", "BatchWriteItem", port), **{"aws.dynamodb.table_names": [table]})


def test_sqs_send_is_a_producer_span(run):
    requests, _, spans, port, _ = run
    send = one_call(requests["/sqs/send?body=hello"], "SQS.SendMessage")
    queue_url = send.attributes["aws.sqs.queue.url"]
    assert queue_url.endswith("-queue")
    check(
        send,
        kind="PRODUCER",
        **common("SQS", "SendMessage", port),
        **{
            "messaging.system": "aws_sqs",
            "messaging.operation.type": "send",
            "messaging.operation.name": "SendMessage",
            "messaging.destination.name": queue_url.rsplit("/", 1)[1],
        },
    )
    assert send.attributes["messaging.message.id"]
    assert http_child(spans, send).kind == "CLIENT"


def test_sqs_receive_in_another_process_links_to_the_send(run):
    requests, body, spans, port, _ = run
    send = one_call(requests["/sqs/send?body=hello"], "SQS.SendMessage")
    # The program asked for no message attributes and got none.
    assert body == "hello attributes=0\n"
    (server,) = [s for s in spans if s.kind == "SERVER" and s.service_name == "awsapp-receiver"]
    calls = [s for s in spans if s.scope_name == SCOPE and s.parent_span_id == server.span_id]
    assert [s.name for s in calls] == ["SQS.ReceiveMessage", "SQS.DeleteMessage"], format_spans([server, *calls])
    receive, delete = calls
    check(
        receive,
        **common("SQS", "ReceiveMessage", port),
        **{
            "messaging.system": "aws_sqs",
            "messaging.operation.type": "receive",
            "messaging.batch.message_count": 1,
            "messaging.message.id": send.attributes["messaging.message.id"],
        },
    )
    # The receiving side continues the sender's trace through the link.
    assert receive.links == ((send.trace_id, send.span_id),), receive.links
    assert receive.trace_id == server.trace_id != send.trace_id
    check(delete, **common("SQS", "DeleteMessage", port), **{"messaging.operation.type": "settle"})


def test_call_without_the_request_context_nests_in_it(run):
    requests, _, _, port, _ = run
    check(one_call(requests["/background"], "S3.HeadBucket"), **common("S3", "HeadBucket", port))


def test_one_span_per_call(run):
    """Every call is one AWS span (the SDK's retries and its middleware add
    none), each with one HTTP request under it."""
    requests, _, spans, _, _ = run
    for path, req in requests.items():
        calls = aws_calls(req)
        assert len(calls) == 1, f"{path}:\n{req.tree()}"
        http_child(spans, calls[0])


def test_build_summary(run):
    """The hook is on smithy-go's middleware, which every service client's
    calls go through: the SDK's modules are not listed as untraced."""
    *_, summary = run
    assert "  github.com/aws/smithy-go/middleware v1." in summary, summary
    assert "github.com/aws/aws-sdk-go-v2" not in summary, summary
