"""A recorded stand-in for the model providers' HTTP APIs: no real model can
run on the test machine, so this server answers the requests the GenAI
client SDKs send with fixed responses in each provider's wire format, as
the real APIs answer them (JSON bodies, server-sent event streams, error
bodies):

- OpenAI: POST /v1/chat/completions (streamed with "stream": true, with a
  usage chunk when stream_options.include_usage), /v1/responses (streamed
  too), /v1/completions,
  /v1/embeddings (float arrays, or base64 with encoding_format "base64");
- Anthropic: POST /v1/messages (streamed with "stream": true);
- Gemini: POST /v1beta/models/{model}:generateContent,
  :streamGenerateContent?alt=sse, :embedContent, :batchEmbedContents.

A request for the model "missing-model" gets the provider's 404 error.
Every request is logged to stderr as one JSON line (method, path and
the request's headers) for the tests to read.

Usage: python3 server.py PORT-FILE; it listens on a free loopback port and
writes the port to PORT-FILE once it listens.
"""

from __future__ import annotations

import base64
import json
import math
import os
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MISSING = "missing-model"
CREATED = 1764547200

OPENAI_TEXT = "Hello! How can I help you today?"
OPENAI_CHUNKS = ["Hello", "!", " How", " can", " I", " help", " you", " today", "?"]
ANTHROPIC_TEXT = "Hi there! What can I do for you?"
ANTHROPIC_CHUNKS = ["Hi", " there", "!", " What", " can", " I", " do", " for", " you", "?"]
GEMINI_TEXT = "Hello! I'm Gemini. How can I help?"
GEMINI_CHUNKS = ["Hello! I'm", " Gemini.", " How can I help?"]


def vector(n: int) -> list[float]:
    return [round(math.sin(i + 1) / 10, 6) for i in range(n)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    # -- plumbing

    def send_json(self, status: int, obj) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def start_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def send_event(self, data: str, event: str | None = None) -> None:
        text = (f"event: {event}\n" if event else "") + f"data: {data}\n\n"
        self.wfile.write(text.encode())
        self.wfile.flush()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        path, _, query = self.path.partition("?")
        print(json.dumps({"path": path, "headers": dict(self.headers)}), file=sys.stderr, flush=True)
        if path.endswith("/chat/completions"):
            self.openai_chat(body)
        elif path.endswith("/responses"):
            self.openai_responses(body)
        elif path.endswith("/completions"):
            self.openai_completion(body)
        elif path.endswith("/embeddings"):
            self.openai_embeddings(body)
        elif path.endswith("/messages"):
            self.anthropic_messages(body)
        elif "/models/" in path and ":" in path:
            model, _, method = path.rsplit("/models/", 1)[1].partition(":")
            self.gemini(model, method, body, query)
        else:
            self.send_json(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})

    # -- OpenAI

    def openai_missing(self, model: str) -> None:
        self.send_json(
            404,
            {
                "error": {
                    "message": f"The model `{model}` does not exist or you do not have access to it.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "model_not_found",
                }
            },
        )

    def openai_chat(self, body: dict) -> None:
        model = body.get("model", "")
        if model == MISSING:
            return self.openai_missing(model)
        served = model + "-2024-07-18" if model == "gpt-4o-mini" else model
        usage = {
            "prompt_tokens": 19,
            "completion_tokens": 10,
            "total_tokens": 29,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        if not body.get("stream"):
            return self.send_json(
                200,
                {
                    "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
                    "object": "chat.completion",
                    "created": CREATED,
                    "model": served,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": OPENAI_TEXT, "refusal": None},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                    "service_tier": "default",
                    "system_fingerprint": "fp_06737a9306",
                },
            )
        self.start_events()
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": served,
            "service_tier": "default",
            "system_fingerprint": "fp_06737a9306",
        }
        first = {"role": "assistant", "content": "", "refusal": None}
        self.send_event(json.dumps({**base, "choices": [{"index": 0, "delta": first, "finish_reason": None}]}))
        for piece in OPENAI_CHUNKS:
            delta = {"content": piece}
            self.send_event(json.dumps({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
        self.send_event(json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
        if include_usage:
            self.send_event(json.dumps({**base, "choices": [], "usage": usage}))
        self.send_event("[DONE]")

    def openai_responses(self, body: dict) -> None:
        model = body.get("model", "")
        if model == MISSING:
            return self.openai_missing(model)
        served = model + "-2024-07-18" if model == "gpt-4o-mini" else model
        resp_id = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b"
        msg_id = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b"

        def response(status: str, output: list, usage) -> dict:
            return {
                "id": resp_id,
                "object": "response",
                "created_at": CREATED,
                "status": status,
                "error": None,
                "incomplete_details": None,
                "instructions": body.get("instructions"),
                "max_output_tokens": body.get("max_output_tokens"),
                "model": served,
                "output": output,
                "parallel_tool_calls": True,
                "previous_response_id": None,
                "reasoning": {"effort": None, "summary": None},
                "store": True,
                "temperature": body.get("temperature", 1.0),
                "text": {"format": {"type": "text"}},
                "tool_choice": "auto",
                "tools": [],
                "top_p": 1.0,
                "truncation": "disabled",
                "usage": usage,
                "user": None,
                "metadata": {},
            }

        text = {"type": "output_text", "text": OPENAI_TEXT, "annotations": []}
        message = {"type": "message", "id": msg_id, "status": "completed", "role": "assistant", "content": [text]}
        usage = {
            "input_tokens": 36,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 10,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 46,
        }
        if not body.get("stream"):
            return self.send_json(200, response("completed", [message], usage))
        self.start_events()
        seq = iter(range(100))

        def send(kind: str, **fields) -> None:
            self.send_event(json.dumps({"type": kind, "sequence_number": next(seq), **fields}), kind)

        send("response.created", response=response("in_progress", [], None))
        send("response.in_progress", response=response("in_progress", [], None))
        item = {"type": "message", "id": msg_id, "status": "in_progress", "role": "assistant", "content": []}
        send("response.output_item.added", output_index=0, item=item)
        empty = {"type": "output_text", "text": "", "annotations": []}
        send("response.content_part.added", item_id=msg_id, output_index=0, content_index=0, part=empty)
        for piece in OPENAI_CHUNKS:
            send("response.output_text.delta", item_id=msg_id, output_index=0, content_index=0, delta=piece)
        send("response.output_text.done", item_id=msg_id, output_index=0, content_index=0, text=OPENAI_TEXT)
        send("response.content_part.done", item_id=msg_id, output_index=0, content_index=0, part=text)
        send("response.output_item.done", output_index=0, item=message)
        send("response.completed", response=response("completed", [message], usage))

    def openai_completion(self, body: dict) -> None:
        model = body.get("model", "")
        if model == MISSING:
            return self.openai_missing(model)
        self.send_json(
            200,
            {
                "id": "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
                "object": "text_completion",
                "created": CREATED,
                "model": model,
                "choices": [{"text": " a test.", "index": 0, "logprobs": None, "finish_reason": "length"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
            },
        )

    def openai_embeddings(self, body: dict) -> None:
        model = body.get("model", "")
        if model == MISSING:
            return self.openai_missing(model)
        values = vector(int(body.get("dimensions") or 1536))
        if body.get("encoding_format") == "base64":
            embedding = base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
        else:
            embedding = values
        self.send_json(
            200,
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": embedding}],
                "model": model,
                "usage": {"prompt_tokens": 4, "total_tokens": 4},
            },
        )

    # -- Anthropic

    def anthropic_messages(self, body: dict) -> None:
        model = body.get("model", "")
        if model == MISSING:
            return self.send_json(
                404,
                {
                    "type": "error",
                    "error": {"type": "not_found_error", "message": f"model: {model}"},
                    "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
                },
            )
        msg_id = "msg_01XFDUDYJgAACzvnptvVoYEL"
        if not body.get("stream"):
            return self.send_json(
                200,
                {
                    "id": msg_id,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": ANTHROPIC_TEXT}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": 12,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 3,
                        "output_tokens": 11,
                        "service_tier": "standard",
                    },
                },
            )
        self.start_events()
        start = {
            "type": "message_start",
            "message": {
                "id": msg_id.replace("X", "S"),
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": 12,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "output_tokens": 1,
                },
            },
        }
        self.send_event(json.dumps(start), "message_start")
        block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
        self.send_event(json.dumps(block), "content_block_start")
        self.send_event(json.dumps({"type": "ping"}), "ping")
        for piece in ANTHROPIC_CHUNKS:
            delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
            self.send_event(json.dumps(delta), "content_block_delta")
        self.send_event(json.dumps({"type": "content_block_stop", "index": 0}), "content_block_stop")
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 12},
        }
        self.send_event(json.dumps(delta), "message_delta")
        self.send_event(json.dumps({"type": "message_stop"}), "message_stop")

    # -- Gemini

    def gemini(self, model: str, method: str, body: dict, query: str) -> None:
        if model == MISSING:
            return self.send_json(
                404,
                {
                    "error": {
                        "code": 404,
                        "message": f"models/{model} is not found for API version v1beta, or is not supported "
                        "for generateContent.",
                        "status": "NOT_FOUND",
                    }
                },
            )
        if method == "embedContent":
            return self.send_json(200, {"embedding": {"values": vector(768)}})
        if method == "batchEmbedContents":
            n = len(body.get("requests") or [1])
            return self.send_json(200, {"embeddings": [{"values": vector(768)} for _ in range(n)]})
        usage = {
            "promptTokenCount": 8,
            "candidatesTokenCount": 11,
            "totalTokenCount": 19,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
        }
        response_id = "7Y7iaKuVNsKd1e8PzeqL0QM"
        if method == "generateContent":
            return self.send_json(
                200,
                {
                    "candidates": [
                        {
                            "content": {"parts": [{"text": GEMINI_TEXT}], "role": "model"},
                            "finishReason": "STOP",
                            "avgLogprobs": -0.0523,
                        }
                    ],
                    "usageMetadata": usage,
                    "modelVersion": model + "-001" if model == "gemini-2.0-flash" else model,
                    "responseId": response_id,
                },
            )
        if method != "streamGenerateContent":
            return self.send_json(404, {"error": {"code": 404, "message": method, "status": "NOT_FOUND"}})
        self.start_events()
        version = model + "-001" if model == "gemini-2.0-flash" else model
        for i, piece in enumerate(GEMINI_CHUNKS):
            last = i == len(GEMINI_CHUNKS) - 1
            cand = {"content": {"parts": [{"text": piece}], "role": "model"}}
            if last:
                cand["finishReason"] = "STOP"
            chunk = {
                "candidates": [cand],
                "usageMetadata": usage if last else {"promptTokenCount": 8, "totalTokenCount": 8},
                "modelVersion": version,
                "responseId": response_id,
            }
            # The Gemini API ends each event with CRLF pairs.
            self.wfile.write(f"data: {json.dumps(chunk)}\r\n\r\n".encode())
            self.wfile.flush()


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
