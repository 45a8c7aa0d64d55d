"""One JSON error shape for the whole REST API: {"error": {"code", "message", "fields"?}}."""

import logging

from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from asthub_site.errors import HubError

log = logging.getLogger(__name__)


def _message_from_detail(detail) -> str:
    if isinstance(detail, list) and detail:
        return _message_from_detail(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        inner = _message_from_detail(value)
        return inner if key == "non_field_errors" else f"{key}: {inner}"
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, HubError):
        return Response({"error": exc.as_dict()}, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"error": {"code": "too_large", "message": "Request body is too large."}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _message_from_detail(exc.detail),
            "fields": exc.detail if isinstance(exc.detail, dict) else {},
        }
    else:
        body = {"code": code, "message": _message_from_detail(response.data.get("detail", ""))}
    response.data = {"error": body}
    return response
