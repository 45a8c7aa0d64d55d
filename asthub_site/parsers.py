"""A JSON parser with a hard cap on body size (DRF reads the raw stream, bypassing
Django's DATA_UPLOAD_MAX_MEMORY_SIZE check) and a clear 400 for JSON nested past what
Python's decoder can follow (it raises RecursionError, which DRF does not catch)."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "too_large"


class _CappedStream:
    def __init__(self, stream, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        want = self._limit + 1 - self._read if size is None or size < 0 else size
        chunk = self._stream.read(want)
        self._read += len(chunk)
        if self._read > self._limit:
            raise BodyTooLarge(f"Request body is larger than {self._limit} bytes.")
        return chunk


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > limit:
            raise BodyTooLarge(f"Request body is larger than {limit} bytes.")
        try:
            return super().parse(_CappedStream(stream, limit), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
