"""The API's one error format: DRF's ``{"detail": ...}`` or ``{field: [messages]}``, in the client's
language (Accept-Language, as the pages), never a model's or a view's internal English."""

import math

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with every message in the client's language.

    A 404 says DRF's translated "Not found." whatever raised it (Django's ``get_object_or_404`` says
    "No Donation matches the given query.", English and naming the model; a view's own
    ``Http404("...")`` is written for logs). A 429 says when to try again in a translated sentence;
    unreadable JSON says so instead of the parser's English.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        # DRF formats its "Expected available in N seconds." before translating it: never translated.
        wait = math.ceil(exc.wait)
        message = ngettext(
            "Too many requests. Please try again in %(seconds)d second.",
            "Too many requests. Please try again in %(seconds)d seconds.",
            wait,
        ) % {"seconds": wait}
        exc = exceptions.Throttled(detail=message)
        exc.wait = wait
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("The request body could not be read: send valid JSON."))
    return drf_exception_handler(exc, context)
