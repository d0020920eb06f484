"""Deploy checks of the site as a whole (`manage.py check --deploy`, the release step's first command):
what would make a production deployment quietly wrong rather than fail loudly."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_CACHES = (
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, deploy=True)
def shared_services_check(app_configs=None, **kwargs):
    """Errors when the broker or the cache is one machine's files (no REDIS_URL, CELERY_BROKER_URL or
    CACHE_URL), or SITE_URL is not https: every link in e-mails would be, and cookies are https-only."""
    errors = []
    if not settings.CELERY_BROKER_URL or settings.CELERY_BROKER_URL.startswith("filesystem"):
        errors.append(
            Error(
                "The Celery broker is a folder on this machine: workers elsewhere never see the tasks.",
                hint="Set CELERY_BROKER_URL (or REDIS_URL), e.g. redis://redis:6379/0.",
                id="kindred.E001",
            )
        )
    if settings.CACHES["default"]["BACKEND"] in LOCAL_CACHES:
        errors.append(
            Error(
                "The cache is local to each process or machine: rate limits and lock-outs would not hold.",
                hint="Set CACHE_URL (or REDIS_URL), e.g. redis://redis:6379/1.",
                id="kindred.E002",
            )
        )
    if urlsplit(settings.SITE_URL).scheme != "https":
        errors.append(
            Error(
                f"SITE_URL is {settings.SITE_URL}: links in e-mails would not be https.",
                hint="Set SITE_URL to the site's public https:// address.",
                id="kindred.E003",
            )
        )
    return errors
