"""The API answers as its OpenAPI schema says: schemathesis generates requests for every operation of
/api/schema/ (valid and invalid), sends them to the WSGI application with a manager's token, and
checks every answer: no 5xx, a documented status code, a body matching the documented schema.

Bounded: a few examples per operation (``max_examples``), in-process, against the test database.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application
from events.models import Event
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.fundraising.conftest import make_campaign

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _throttles_out_of_the_way(settings):
    # Generated requests come fast from one client; the limits themselves have their own tests.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {scope: "100000/min" for scope in rates},
    }


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction(db):
    # As Django's test client does: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(db):
    manager = UserFactory(is_staff=True, email="manager@example.org")
    community = CommunityFactory(join_policy="open")
    MembershipFactory(community=community, user=manager, role="manager")
    MembershipFactory(community=community, role="member")
    event = EventFactory(
        community=community, status=Event.Status.PUBLISHED, starts_at=timezone.now() + timedelta(days=5)
    )
    RegistrationFactory(event=event, guest_name="Guest", guest_email="guest@example.org")
    make_campaign(community)
    return Token.objects.create(user=manager).key


# The schema /api/schema/ serves, generated the same way without a request.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_api_operation_answers_as_its_schema_says(case, manager_token):
    case.call_and_validate(headers={"Authorization": f"Token {manager_token}"}, checks=CHECKS)
