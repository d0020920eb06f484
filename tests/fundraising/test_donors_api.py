"""The donors API: managers' donors and monthly gifts; the donor's own through the link's session."""

import pytest
from django.test import Client
from django.urls import reverse

from fundraising.services.donor_links import donor_page_url
from tests.fundraising.subscription_helpers import start_monthly

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift(provider_http, campaign):
    return start_monthly(campaign, email="olga@example.org", amount="300", day=5, name="Olga")


def test_a_manager_lists_donors_and_monthly_gifts_and_stops_one(client, manager, community, gift):
    client.force_login(manager)
    donors = client.get(reverse("api:donors", args=[community.pk])).json()
    assert [(d["email"], d["recurring"], d["gifts"]) for d in donors["results"]] == [("olga@example.org", "active", 1)]

    gifts = client.get(reverse("api:subscriptions", args=[community.pk]), {"status": "active"}).json()
    assert [g["id"] for g in gifts["results"]] == [gift.pk]
    bad = client.get(reverse("api:subscriptions", args=[community.pk]), {"status": "nonsense"})
    assert bad.status_code == 400
    assert "status" in bad.json()

    stopped = client.post(reverse("api:subscription_cancel", args=[community.pk, gift.pk]))
    assert stopped.json()["status"] == "cancelled"


def test_outsiders_get_404(client, outsider, community, gift):
    client.force_login(outsider)
    assert client.get(reverse("api:donors", args=[community.pk])).status_code == 404
    assert client.post(reverse("api:subscription_cancel", args=[community.pk, gift.pk])).status_code == 404


def _open(client, email="olga@example.org"):
    client.get(donor_page_url(email).removeprefix("http://127.0.0.1:8000"))


def test_the_donor_reads_and_changes_their_own_gift_by_the_link_session(client, gift):
    assert client.get(reverse("api:my_gifts")).status_code == 403
    _open(client)

    mine = client.get(reverse("api:my_gifts")).json()
    assert [s["id"] for s in mine["subscriptions"]] == [gift.pk]
    assert len(mine["gifts"]) == 1

    url = reverse("api:my_subscription_action", args=[gift.pk, "change"])
    bad = client.post(url, {"amount": "abc"}, content_type="application/json")
    assert bad.status_code == 400
    assert "amount" in bad.json()
    changed = client.post(url, {"amount": "450", "day": 20}, content_type="application/json").json()
    assert (changed["amount"], changed["day"]) == ("450.00", 20)
    paused = client.post(reverse("api:my_subscription_action", args=[gift.pk, "pause"])).json()
    assert paused["status"] == "paused"


def test_the_donor_cannot_touch_anothers_gift_or_skip_csrf(gift):
    other = Client()
    _open(other, "someone@example.org")
    assert other.post(reverse("api:my_subscription_action", args=[gift.pk, "cancel"])).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    _open(strict)
    assert strict.post(reverse("api:my_subscription_action", args=[gift.pk, "cancel"])).status_code == 403
    gift.refresh_from_db()
    assert gift.status == "active"
