"""Limits on everything that sends an e-mail to an address someone typed (README, "Limits").

Two counters per kind of action, in the shared cache: one per client address (``config.net.client_ip``,
so a network cannot flood anyone) and one per target address (so nobody's inbox can be filled from
many networks). Each attempt counts once it is valid; past either limit it is refused, the web
with the 429 page (``too_many_response``), the API with DRF's 429 (``SendThrottle``).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.exceptions import Throttled

from config.net import client_ip


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def rates(kind):
    """(per client address, per target address) for `kind`, from settings.SEND_LIMITS."""
    per_client, per_target = settings.SEND_LIMITS[kind]
    return Rate(*per_client), Rate(*per_target)


def _counted(key, rate):
    """Count one attempt under `key`; True once the window holds more than `rate.count` attempts."""
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
    # The address is hashed: the cache holds no one's e-mail.
    digest = hashlib.sha256((target or "").strip().lower().encode()).hexdigest()[:32]
    client_over = _counted(f"limit:{kind}:ip:{client_ip(request)}", per_client)
    target_over = _counted(f"limit:{kind}:to:{digest}", per_target)
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
