"""The API's JSON parser: a body nested too deeply is a 400 with a message, never a 500."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .json_input import TOO_DEEP_MESSAGE, json_depth_exceeds


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser, plus a limit on nesting (see coding_lms.json_input)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP_MESSAGE) from None
        if json_depth_exceeds(data):
            raise ParseError(TOO_DEEP_MESSAGE)
        return data
