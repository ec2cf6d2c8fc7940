"""Secrets in telemetry: a canary value to send down every path a library's
instrumentation sees, and the check that it never reaches the receiver.

    from secrets_support import assert_never_received, canary
    secret = canary("pgx")                    # unique, recognisable, URL- and SQL-safe
    ... run the program with SECRET=secret, drive it ...
    assert_never_received(rx, secret)        # spans, metrics and logs, every field

assert_never_received looks at the raw bytes of every export request the
receiver got (accepted or not, any signal, HTTP or gRPC): protobuf keeps a
string field's UTF-8 bytes as they are, so the canary is found wherever it
is (span names, attributes, events, status messages, resources, metric
attributes, log bodies), and an OTLP/JSON export is searched as text. The
canary also matches after percent-encoding or base64 (expected_forms), which
a careless redaction could leave behind.

For a library of your own (tests/e2e/libraries/test_<lib>.py): make the
testdata program send the SECRET it is given through every place the
library's API takes data (connection strings, keys, values, queries,
headers, messages), then check both that the spans you expect arrived (a
check that cannot fail proves nothing) and assert_never_received.
What each kind of library sends the canary through:

- HTTP stacks (fasthttp, hertz, resty...): user:password@ and the query
  parameters of rules/internal/redact in URLs, Authorization/Cookie headers,
  bodies; url.full and url.query go through rules/internal/redact;
- databases (pgx, mongo...): the secret inline in a statement sent without
  arguments (db.query.text must show "?") and as an argument (never shown),
  and in the connection string's password (server.address has none);
- key-value stores and queues (memcached, kafka, nats...): keys, values,
  message bodies and headers; db.query.text or messaging attributes carry
  names and counts, not data;
- cloud SDKs (aws): credentials and presigned URLs (X-Amz-Credential,
  X-Amz-Signature, X-Amz-Security-Token);
- GenAI clients: the prompt, the system instructions and the answer (the
  local server's recorded response holds the canary too): message contents
  stay off unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
"""

from __future__ import annotations

import base64
import secrets as _random
import urllib.parse

from otlp import OTLPReceiver


def canary(label: str = "secret") -> str:
    """A fresh secret: letters and digits only, so that it goes unchanged
    through URLs, SQL literals, Redis keys and headers."""
    return f"Canary{label.title().replace('-', '').replace('_', '')}{_random.token_hex(8)}"


def expected_forms(secret: str) -> list[str]:
    """The secret as it may appear once encoded on the way."""
    raw = secret.encode()
    return sorted(
        {
            secret,
            urllib.parse.quote(secret),
            base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
        }
    )


def exported_bytes(rx: OTLPReceiver) -> list[tuple[str, bytes]]:
    """(signal, bytes) of every export request received."""
    out = []
    for r in rx.records:
        if r.message is not None:
            out.append((r.signal, r.message.SerializeToString()))
    return out


def where_received(rx: OTLPReceiver, secret: str) -> list[str]:
    """Where the secret (in any expected form) arrived: one line per hit."""
    hits = []
    for signal, data in exported_bytes(rx):
        for form in expected_forms(secret):
            at = data.find(form.encode())
            if at >= 0:
                context = data[max(0, at - 80) : at + len(form) + 40].decode(errors="replace")
                hits.append(f"{signal}: {form!r} in ...{context!r}...")
    return hits


def assert_never_received(rx: OTLPReceiver, secret: str) -> None:
    """The secret reached the receiver in no export request; and there were
    export requests to look at."""
    assert rx.records, "nothing was exported: the check would prove nothing"
    hits = where_received(rx, secret)
    assert hits == [], "the secret reached the collector:\n" + "\n".join(hits)
