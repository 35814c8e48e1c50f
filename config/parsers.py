"""The API's JSON parser: input is bounded before it is parsed (STACK-NOTES #21).

Its own module: DRF imports parser classes while `rest_framework.views` is loading, and config.api imports
views (a cycle)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as _JSONParser
from rest_framework.utils import json

# The deepest JSON any endpoint takes is a few levels (a completion's materials: body → list → row); 32 is
# generous. json.loads recurses per level, and a 2 KB body of `[` raised RecursionError (a 500).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


def json_depth_within(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `text`'s brackets nest at most `limit` deep (and balance): checked before parsing, with
    regular expressions only (each pass removes the innermost pairs), so a hostile body costs C-speed passes."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _level in range(limit):
        if not brackets:
            return True
        brackets = _INNERMOST_PAIR.sub("", brackets)
    return not brackets


def _finite_float(text: str) -> float:
    """JSON numbers past float's range (1e999) are refused, not read as infinity (int(inf) raised a 500)."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text[:20]}")
    return value


class JSONParser(_JSONParser):
    """DRF's JSON parser, bounding the body's nesting before parsing it: malformed or over-deep JSON is a 400
    with a message people can read (API.md), never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("The body is not valid UTF-8 JSON.")) from None
        if not json_depth_within(text):
            raise exceptions.ParseError(
                _("The JSON body is malformed or nested more than %(n)s levels deep.") % {"n": MAX_JSON_DEPTH}
            )
        try:
            if self.strict:
                return json.loads(text, parse_float=_finite_float)
            return json.loads(text, parse_float=_finite_float, parse_constant=None)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
