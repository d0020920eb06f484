"""Limits on everything that sends an e-mail to an address someone typed (README, "Limits").

Two counters per kind of action, in the shared cache: one per client (``config.net.client_network``:
its address, an IPv6 client's /64, so a network cannot flood anyone) and one per target address (so
nobody's inbox can be filled from many networks). Each attempt counts once it is valid; past either
limit it is refused, the web with the 429 page (``too_many_response``), the API with DRF's 429
(``SendThrottle``).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.exceptions import Throttled

from config.net import client_network


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def rates(kind):
    """(per client address, per target address) for `kind`, from settings.SEND_LIMITS."""
    per_client, per_target = settings.SEND_LIMITS[kind]
    return Rate(*per_client), Rate(*per_target)


def address_digest(address):
    """An e-mail address as a limit's key: hashed, so the cache holds no one's e-mail."""
    return hashlib.sha256((address or "").strip().lower().encode()).hexdigest()[:32]


def counted(key, rate):
    """Count one attempt under `key` in the shared cache; True once the window (``rate.seconds``, a
    fixed window that starts with the first attempt) holds more than ``rate.count`` attempts."""
    if cache.add(key, 1, rate.seconds):
        return rate.count < 1
    try:
        return cache.incr(key) > rate.count
    except ValueError:  # the window ended between add() and incr(): this attempt opens the next one
        cache.set(key, 1, rate.seconds)
        return rate.count < 1


def send_limited(request, *, kind, target):
    """Count an attempt to send `kind` (e.g. "registration") to `target` (an e-mail address).

    Returns the seconds to wait when the client address or the target address is over its limit,
    else 0. Both counters count every attempt, so a refused one still counts.
    """
    per_client, per_target = rates(kind)
    digest = address_digest(target)
    client_over = counted(f"limit:{kind}:ip:{client_network(request)}", per_client)
    target_over = counted(f"limit:{kind}:to:{digest}", per_target)
    if client_over or target_over:
        return max(per_client.seconds if client_over else 0, per_target.seconds if target_over else 0)
    return 0


def too_many_response(request, *, wait):
    """The 429 page: what happened and when to try again, in the site's look."""
    response = render(request, "429.html", {"wait_minutes": max(1, round(wait / 60))}, status=429)
    response["Retry-After"] = str(wait)
    return response


def send_limited_api(request, *, kind, target):
    """The API's form of `send_limited`: raises DRF's Throttled (a 429 with Retry-After)."""
    wait = send_limited(request, kind=kind, target=target)
    if wait:
        raise Throttled(wait=wait)
