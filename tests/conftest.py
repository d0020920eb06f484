import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and lock-outs live in the shared cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what was queued on commit (tasks, e-mails) as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
