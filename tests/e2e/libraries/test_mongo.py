"""mongo-driver v1 and v2 end to end: testdata/mongoapp, built with `otel go
build` at both ends of the rules' ranges (go.mod: v1.17.10 and v2.10.0;
oldest.mod: v1.11.0 and v2.0.0), against FerretDB (the MongoDB wire
protocol on SQLite, built by the suite: tests/support/servers_databases.py).

Every command is one CLIENT span under the request's SERVER span (or under
the span current on the goroutine when the call has no context), named
"{command} {collection}", with the database conventions for MongoDB: the
query text has its values masked, a failed command and a write error fail
the span; each is measured in db.client.operation.duration.
"""

from __future__ import annotations

import pytest
from harness import TESTDATA
from otlp import OTLPReceiver, format_points, histogram, metric_points, series
from scenario import VARIANTS, build, check_client, drive, otel_env

APP = TESTDATA / "mongoapp"
V1 = "otelgo.dev/rules/mongo"
V2 = "otelgo.dev/rules/mongo/mongov2"
ROUTES = [
    ("/v1/insert", 200),
    ("/v1/find?name=s3cret", 200),
    ("/v1/find?name=nobody", 404),
    ("/v1/update", 200),
    ("/v1/duplicate", 500),
    ("/v1/error", 500),
    ("/v1/background", 200),
    ("/v1/delete", 200),
    ("/v2/insert", 200),
    ("/v2/find?name=s3cret", 200),
    ("/v2/duplicate", 500),
    ("/v2/error", 500),
]


# Only in the newest build: otelmongo needs mongo-driver v1.17 (the oldest
# build leaves otelmongo.go out with -tags oldest).
NEWEST_ROUTES = [("/v1/otelmongo", 200)]
OTELMONGO = "go.opentelemetry.io/contrib/instrumentation/go.mongodb.org/mongo-driver/mongo/otelmongo"


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, ferretdb):
    out = tmp_path_factory.mktemp(f"mongoapp-{request.param}")
    newest = request.param == "newest"
    binary = build(APP, request.param, out, *([] if newest else ["-tags=oldest"]))
    routes = ROUTES + (NEWEST_ROUTES if newest else [])
    with OTLPReceiver() as rx:
        requests = drive(binary, routes, otel_env(rx, "mongoapp", MONGO_URI=ferretdb.url), rx, out)
        return requests, metric_points(rx), ferretdb.port


def db(port: int, collection: str | None = "items") -> dict:
    attrs = {"db.system.name": "mongodb", "db.namespace": "shop", "server.address": "127.0.0.1", "server.port": port}
    if collection:
        attrs["db.collection.name"] = collection
    return attrs


def one(req, scope: str):
    spans = [s for s in req.spans if s.scope_name == scope]
    assert len(spans) == 1, req.tree()
    return spans[0]


@pytest.mark.parametrize("version, scope, coll", [("v1", V1, "items"), ("v2", V2, "items2")])
def test_insert_and_find(run, version, scope, coll):
    requests, _, port = run
    req = requests[f"/{version}/insert"]
    span = one(req, scope)
    check_client(span, req.server, **db(port, coll), **{"db.operation.name": "insert"})
    assert span.name == f"insert {coll}" and span.status_code == "UNSET"
    text = span.attributes["db.query.text"]
    assert text.startswith(f'{{"insert":"{coll}"'), text
    assert '"documents":[{"_id":"?","name":"?"' in text and "s3cret" not in text, text
    req = requests[f"/{version}/find?name=s3cret"]
    span = one(req, scope)
    check_client(span, req.server, **db(port, coll), **{"db.operation.name": "find"})
    assert span.name == f"find {coll}"
    text = span.attributes["db.query.text"]
    assert text.startswith(f'{{"find":"{coll}","filter":{{"name":"?"}}'), text
    assert "lsid" not in text and "$db" not in text


def test_no_document_is_no_error(run):
    requests, _, _ = run
    span = one(requests["/v1/find?name=nobody"], V1)
    assert span.status_code == "UNSET" and "error.type" not in span.attributes


def test_update_and_delete(run):
    requests, _, port = run
    req = requests["/v1/update"]
    span = one(req, V1)
    check_client(span, req.server, **db(port), **{"db.operation.name": "update"})
    assert '"$inc":{"n":"?"}' in span.attributes["db.query.text"], span.attributes
    req = requests["/v1/delete"]
    check_client(one(req, V1), req.server, **db(port), **{"db.operation.name": "delete"})


@pytest.mark.parametrize("version, scope, coll", [("v1", V1, "items"), ("v2", V2, "items2")])
def test_write_error(run, version, scope, coll):
    """A duplicate _id: the server acknowledges the insert with a write
    error, which the driver returns: the span fails with its code."""
    requests, _, port = run
    req = requests[f"/{version}/duplicate"]
    span = one(req, scope)
    check_client(span, req.server, **db(port, coll), **{"db.response.status_code": "11000", "error.type": "11000"})
    assert span.status_code == "ERROR" and "duplicate key" in span.status_message


@pytest.mark.parametrize("version, scope", [("v1", V1), ("v2", V2)])
def test_failed_command(run, version, scope):
    requests, _, port = run
    req = requests[f"/{version}/error"]
    span = one(req, scope)
    check_client(span, req.server, **db(port, None), **{"db.operation.name": "noSuchCommand"})
    assert span.status_code == "ERROR" and span.attributes["error.type"] == "CommandNotFound", span.attributes
    if version == "v2":
        assert span.attributes["db.response.status_code"] == "59"


def test_call_without_context_nests(run):
    requests, _, port = run
    req = requests["/v1/background"]
    check_client(one(req, V1), req.server, **db(port), **{"db.operation.name": "find"})


@pytest.mark.parametrize("run", ["newest"], indirect=True)  # otelmongo needs mongo-driver v1.17
def test_otelmongo_client_keeps_its_own_spans(run):
    """A client the program set up with the contrib otelmongo monitor: its
    spans, none of the hook's (never two spans for one command)."""
    requests = run[0]
    req = requests["/v1/otelmongo"]
    assert not [s for s in req.spans if s.scope_name == V1], req.tree()
    finds = [s for s in req.spans if s.scope_name == OTELMONGO and s.kind == "CLIENT"]
    assert len(finds) == 1 and finds[0].name == "items.find", req.tree()  # otelmongo's own naming


def test_operation_duration(run):
    _, points, port = run
    name = "db.client.operation.duration"
    assert histogram(points, name, "mongoapp", {**db(port), "db.operation.name": "insert"}, V1).count == 1
    failed = {
        **db(port, "items2"),
        "db.operation.name": "insert",
        "db.response.status_code": "11000",
        "error.type": "11000",
    }
    assert histogram(points, name, "mongoapp", failed, V2).count == 1
    ours = [p for p in series(points, name, "mongoapp") if p.scope_name == V2]
    # drop (at start), insert, find, insert (duplicate), noSuchCommand, and endSessions at exit if any.
    assert sum(p.count for p in ours) >= 5, format_points(ours)
