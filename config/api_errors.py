"""The API's one error format: DRF's ``{"detail": ...}`` or ``{field: [messages]}``, in the client's
language (Accept-Language, as the pages), never a model's or a view's internal English."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, except that a 404 says DRF's translated "Not found." whatever raised it.

    Django's ``get_object_or_404`` says "No Donation matches the given query." (English, and it names
    the model); a view's own ``Http404("...")`` is written for logs, not for API clients.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
