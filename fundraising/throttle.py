"""How many donations one network may start: a counter per client address in the shared cache.

The web form and the API share the counter; the API applies it as its "give" throttle scope.
"""

from rest_framework.throttling import BaseThrottle

from config.net import client_network
from config.ratelimit import Rate, address_digest, counted

GIVE_LIMIT = 10  # donations started per client address ...
GIVE_WINDOW_SECONDS = 600  # ... per ten minutes


def give_rate_limited(request) -> bool:
    """Count this attempt; True once the client (``config.net.client_network``: an IPv6 client's /64)
    has started more than GIVE_LIMIT donations in the current window."""
    return counted(f"fundraising:give:{client_network(request)}", Rate(GIVE_LIMIT, GIVE_WINDOW_SECONDS))


class GiveThrottle(BaseThrottle):
    """The API's "give" scope: starting a donation counts against the same limit as the web form."""

    def allow_request(self, request, view):
        return not give_rate_limited(request)

    def wait(self):
        return GIVE_WINDOW_SECONDS


FIND_PER_ADDRESS = 3  # "find my gifts" links sent to one e-mail address ...
FIND_PER_NETWORK = 10  # ... and asked for from one client address ...
FIND_WINDOW_SECONDS = 3600  # ... per hour


def donor_find_rate_limited(request, email) -> bool:
    """Count a "find my gifts" request; True once the client address or the e-mail address asked
    more than FIND_PER_NETWORK or FIND_PER_ADDRESS times in the window (both are counted always)."""
    window = FIND_WINDOW_SECONDS
    network = counted(f"fundraising:find:ip:{client_network(request)}", Rate(FIND_PER_NETWORK, window))
    address = counted(f"fundraising:find:email:{address_digest(email)}", Rate(FIND_PER_ADDRESS, window))
    return network or address
