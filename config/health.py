"""Liveness of the services Kindred depends on, for /healthz and the staff pages."""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok():
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:
        return False


def cache_ok():
    """The shared cache (rate limits, lock-outs, sessions' companions, page bodies) stores and returns."""
    key, value = "healthz:probe", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception:
        return False
