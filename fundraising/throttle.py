"""How many donations one network may start: a counter per IP address in the shared cache."""

from django.core.cache import cache

GIVE_LIMIT = 10  # donations started per IP address ...
GIVE_WINDOW_SECONDS = 600  # ... per ten minutes


def give_rate_limited(request):
    """Count this attempt; True once the address has started more than GIVE_LIMIT in the window."""
    key = f"fundraising:give:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, GIVE_WINDOW_SECONDS)
    return cache.incr(key) > GIVE_LIMIT
