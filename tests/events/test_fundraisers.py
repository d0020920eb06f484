"""The supported fundraiser: fundraising links it (Fundraiser.event); events shows it when the link exists."""

from decimal import Decimal

import pytest
from django.urls import reverse

from events import services
from events.models import Event
from tests.events.factories import EventFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not hasattr(Event, "fundraisers"), reason="fundraising does not link events yet"),
]


@pytest.fixture
def fundraiser(community, manager):
    from fundraising.models import Campaign, Fundraiser

    campaign = Campaign.objects.create(
        community=community, title="Warm winter", slug="warm-winter", goal=Decimal(10000)
    )
    event = EventFactory(community=community, hosts=[manager])
    return Fundraiser.objects.create(
        campaign=campaign,
        owner=manager,
        event=event,
        title="Run for a warm winter",
        slug="run-warm",
        goal=Decimal(5000),
    )


def test_the_event_page_and_the_thank_you_show_the_supported_fundraiser(
    client, fundraiser, manager, commit, mailoutbox
):
    event = fundraiser.event
    registration = services.registration_create(event=event, guest_name="Ada", guest_email="ada@example.org")
    services.registration_check_in(registration=registration, by=manager)

    page = client.get(reverse("events:detail", kwargs={"pk": event.pk})).text
    with commit():
        services.event_complete(event=event, now=event.ends_at)

    assert "Run for a warm winter" in page
    assert fundraiser.get_absolute_url() in page
    thanks = mailoutbox[-1]
    assert thanks.to == ["ada@example.org"]
    assert fundraiser.get_absolute_url() in thanks.body


def test_a_hidden_fundraiser_is_not_advertised(client, fundraiser):
    fundraiser.status = "hidden"
    fundraiser.save()

    page = client.get(reverse("events:detail", kwargs={"pk": fundraiser.event_id})).text

    assert "Run for a warm winter" not in page
