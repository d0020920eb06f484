"""How many donations one network may start: a counter per IP address in the shared cache."""

from django.core.cache import cache

GIVE_LIMIT = 10  # donations started per IP address ...
GIVE_WINDOW_SECONDS = 600  # ... per ten minutes


def give_rate_limited(request):
    """Count this attempt; True once the address has started more than GIVE_LIMIT in the window."""
    key = f"fundraising:give:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, GIVE_WINDOW_SECONDS)
    return cache.incr(key) > GIVE_LIMIT


FIND_PER_ADDRESS = 3  # "find my gifts" links sent to one e-mail address ...
FIND_PER_NETWORK = 10  # ... and asked for from one IP address ...
FIND_WINDOW_SECONDS = 3600  # ... per hour


def _count(key, limit, window):
    cache.add(key, 0, window)
    return cache.incr(key) > limit


def donor_find_rate_limited(request, email):
    """Count a "find my gifts" request; True once the address or the network asked too often."""
    network = _count(
        f"fundraising:find:ip:{request.META.get('REMOTE_ADDR', '')}", FIND_PER_NETWORK, FIND_WINDOW_SECONDS
    )
    address = _count(f"fundraising:find:email:{email.strip().lower()}", FIND_PER_ADDRESS, FIND_WINDOW_SECONDS)
    return network or address
