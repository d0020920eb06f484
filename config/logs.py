"""Logging as one line per event, each carrying the id of the request it belongs to.

The id comes from the reverse proxy (nginx's ``$request_id`` in ``X-Request-ID``) when it looks like
one, so the proxy's access log, gunicorn's and ours can be joined; otherwise a new one is made. It is
sent back in the response's ``X-Request-ID`` header. Outside a request (a worker task) it is "-".
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    """The id of the request being handled in this thread or task, or "-"."""
    return _request_id.get()


class RequestIdMiddleware:
    """Sets the request id for the logs while a request is handled, and answers with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = given if _WELL_FORMED.match(given) else uuid.uuid4().hex
        # Kept until the response is closed (request_finished below): Django logs a 4xx/5xx answer
        # after the middleware has returned.
        _request_id.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


def _forget_request_id(**kwargs):
    _request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="config.logs.forget_request_id")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, so the format can print it."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """The usual format, with line breaks (tracebacks, multi-line messages) escaped as ``\\n``, and
    times in UTC as ISO 8601 (``2026-11-29T21:04:05.123Z``), as nginx's and the worker's lines can be
    joined with them whatever the organisation's TIME_ZONE."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def format(self, record):
        return super().format(record).replace("\r", "").replace("\n", "\\n")
