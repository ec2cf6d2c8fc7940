"""The go command's -json output: a stream of JSON objects, one after the other."""

from __future__ import annotations

import json


def json_stream(text: str):
    decoder, pos = json.JSONDecoder(), 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        obj, pos = decoder.raw_decode(text, pos)
        yield obj
