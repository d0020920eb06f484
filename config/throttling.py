"""The API's throttles: anonymous reads, reads by signed-in people, and writes, each per client.

Rates live in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` under the scope names below; giving has
its own limit, shared with the web form (``fundraising.throttle.GiveThrottle``). A refused request
gets DRF's usual error body, ``{"detail": "..."}``, with status 429 and a ``Retry-After`` header.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.net import client_network

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _ClientThrottle(SimpleRateThrottle):
    """Keys on the signed-in person, or on the client (``config.net.client_network``: IPv6 by /64)."""

    def get_rate(self):
        # Read when used, not when DRF's module was imported, so a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_network(request)

    def _key(self, request):
        ident = f"user-{request.user.pk}" if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonReadThrottle(_ClientThrottle):
    scope = "anon_read"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated or request.method not in SAFE_METHODS:
            return None
        return self._key(request)


class UserReadThrottle(_ClientThrottle):
    scope = "user_read"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated or request.method not in SAFE_METHODS:
            return None
        return self._key(request)


class WriteThrottle(_ClientThrottle):
    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in SAFE_METHODS:
            return None
        return self._key(request)
