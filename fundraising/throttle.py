"""How many donations one network may start: a counter per client address in the shared cache.

The web form and the API share the counter; the API applies it as its "give" throttle scope.
"""

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from config.net import client_ip

GIVE_LIMIT = 10  # donations started per client address ...
GIVE_WINDOW_SECONDS = 600  # ... per ten minutes


def give_rate_limited(request) -> bool:
    """Count this attempt; True once the client address (``config.net.client_ip``) has started more
    than GIVE_LIMIT donations in the current window."""
    key = f"fundraising:give:{client_ip(request)}"
    if cache.add(key, 1, GIVE_WINDOW_SECONDS):
        return GIVE_LIMIT < 1
    try:
        return cache.incr(key) > GIVE_LIMIT
    except ValueError:  # the window ended between add() and incr(): this attempt opens the next one
        cache.set(key, 1, GIVE_WINDOW_SECONDS)
        return GIVE_LIMIT < 1


class GiveThrottle(BaseThrottle):
    """The API's "give" scope: starting a donation counts against the same limit as the web form."""

    def allow_request(self, request, view):
        return not give_rate_limited(request)

    def wait(self):
        return GIVE_WINDOW_SECONDS


FIND_PER_ADDRESS = 3  # "find my gifts" links sent to one e-mail address ...
FIND_PER_NETWORK = 10  # ... and asked for from one client address ...
FIND_WINDOW_SECONDS = 3600  # ... per hour


def _over_limit(key, limit, window):
    if cache.add(key, 1, window):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # the window ended between add() and incr(): this request opens the next one
        cache.set(key, 1, window)
        return limit < 1


def donor_find_rate_limited(request, email) -> bool:
    """Count a "find my gifts" request; True once the client address or the e-mail address asked
    more than FIND_PER_NETWORK or FIND_PER_ADDRESS times in the window (both are counted always)."""
    network = _over_limit(f"fundraising:find:ip:{client_ip(request)}", FIND_PER_NETWORK, FIND_WINDOW_SECONDS)
    address = _over_limit(f"fundraising:find:email:{email.strip().lower()}", FIND_PER_ADDRESS, FIND_WINDOW_SECONDS)
    return network or address
