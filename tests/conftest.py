import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests.factories import UserFactory


def _clear_own_cache_keys():
    # Not cache.clear(): on Redis that empties the database under the other test processes' feet.
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and lock-outs live in the shared cache; each test starts with none.
    _clear_own_cache_keys()
    yield
    _clear_own_cache_keys()


@pytest.fixture(autouse=True)
def _site_language():
    # A request in Russian leaves Russian active in the thread (LocaleMiddleware activates, nothing
    # deactivates); each test starts in the site's language whatever ran before it.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def clear_cache():
    """`clear_cache()` empties this test process's part of the shared cache."""
    return _clear_own_cache_keys


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what was queued on commit (tasks, e-mails) as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
