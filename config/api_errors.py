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


ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "An error about the request as a whole (DRF's format), in the client's language.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": 'Messages per field, e.g. {"amount": ["Enter a number."]}; "non_field_errors" for the '
        'request as a whole; a nested object for a nested field. Or {"detail": ...}.',
        "additionalProperties": {},
    },
}
ERROR_RESPONSES = {
    "400": ("ValidationErrors", "The request is not valid: messages per field."),
    "401": ("ErrorDetail", "No valid token or session."),
    "403": ("ErrorDetail", "Signed in, but not allowed to do this."),
    "404": ("ErrorDetail", "No such object, or not visible to you (or no such page of a list)."),
    "429": ("ErrorDetail", "Too many requests; Retry-After says when to try again."),
}


def error_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors any view can answer
    (400, 401, 403, 404, 429) with DRF's error bodies, next to what the view documents itself."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, (component, description) in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                    },
                )
    return result
