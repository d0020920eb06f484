"""The client's network address, as every limit and address check in Kindred must see it.

Behind reverse proxies (a load balancer, nginx) ``REMOTE_ADDR`` is the nearest proxy, so every
visitor would share one address and every per-address limit would become site-wide. Each proxy
appends the address it received the request from to ``X-Forwarded-For``; only the entries appended
by proxies we run can be believed, because a client can send any ``X-Forwarded-For`` it likes.
``TRUSTED_PROXY_COUNT`` says how many such proxies stand in front of the web process.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The address of the client that made ``request``, as a normalised IPv4/IPv6 string.

    With ``settings.TRUSTED_PROXY_COUNT`` = N (0 by default) the answer is the N-th entry of
    ``X-Forwarded-For`` counted from the right: the address our outermost proxy saw. With N = 0, or
    when the request carries no ``X-Forwarded-For`` (it reached the web process directly, e.g. a
    health check), it is ``REMOTE_ADDR``. A header with fewer than N entries means the proxies are
    set up differently from the setting; ``REMOTE_ADDR`` is used then (never a client-chosen entry)
    and a warning is logged. Ports (``1.2.3.4:5678``) and brackets (``[::1]``) are removed.
    Returns "" only when no address is known at all (never raises).

    Every consumer takes the address from here: allauth's rate limits (the account adapter), axes'
    lock-outs (``AXES_CLIENT_IP_CALLABLE``), the API throttles (``config.throttling``), the give
    limit (``fundraising.throttle``) and YooKassa's source-address check.
    """
    remote = _clean(request.META.get("REMOTE_ADDR", "")) or ""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        logger.warning(
            "X-Forwarded-For has %d entries but TRUSTED_PROXY_COUNT is %d; using REMOTE_ADDR", len(hops), count
        )
        return remote
    return _clean(hops[-count]) or remote


def _clean(value: str) -> str | None:
    """``value`` as a canonical IP address string, or None when it is not one."""
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # "203.0.113.5:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:  # "::ffff:203.0.113.5"
        return str(address.ipv4_mapped)
    return str(address)


IPV6_PREFIX = 64  # one household or phone holds a whole /64 (RFC 6177); allauth counts the same way


def client_network(request) -> str:
    """What a per-client limit counts by: ``client_ip``, an IPv6 address cut to its /64's first address.

    A single IPv6 client is usually given a whole /64 and can pick a new address in it for every
    request, so counting full IPv6 addresses would not limit anything. IPv4 addresses (also those
    written IPv4-mapped, ``::ffff:203.0.113.5``) are counted as they are. The answer is itself an IP
    address, so it fits axes' address column. Returns "" when no address is known.
    """
    address = client_ip(request)
    if ":" not in address:
        return address
    return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
