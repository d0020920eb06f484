"""The largest request body Kindred reads, checked before anything parses it.

nginx refuses bigger bodies first (``client_max_body_size`` in config/deploy/nginx.conf.template);
this is the same limit for a web process reached another way (a proxy without the limit, a
misconfigured bind), since Django streams any size of file upload to disk.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation


class RequestSizeLimitMiddleware:
    """Answer 413 with the site's page when ``Content-Length`` exceeds ``settings.REQUEST_MAX_BYTES``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django's own parsing refuses it
        if length > settings.REQUEST_MAX_BYTES:
            limit_mb = settings.REQUEST_MAX_BYTES // (1024 * 1024)
            # Answered before LocaleMiddleware runs: the visitor's language is chosen here the same way.
            with translation.override(translation.get_language_from_request(request)):
                return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)
