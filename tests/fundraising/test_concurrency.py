"""Many callbacks at once, through the real endpoint and PostgreSQL: nothing lost, nothing counted twice."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fundraising.models import Campaign, Donation, Fundraiser, SandboxPayment, Team
from fundraising.providers.sandbox import SIGNATURE_HEADER, callback_body, sign
from fundraising.services import totals_aggregate
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db(transaction=True)


def _deliver(references, errors):
    client = Client()
    try:
        for reference in references:
            body = callback_body(reference=reference, event="payment.succeeded")
            response = client.post(
                reverse("fundraising:callback", kwargs={"provider": "sandbox"}),
                body,
                content_type="application/json",
                headers={SIGNATURE_HEADER: sign(body)},
            )
            if response.status_code != 200:
                errors.append(response.status_code)
    except Exception as exc:  # surfaced by the assertion below
        errors.append(exc)
    finally:
        connection.close()


def test_concurrent_and_repeated_callbacks_keep_totals_equal_to_a_fresh_aggregate(campaign, fundraiser):
    other = Fundraiser.objects.create(
        campaign=campaign,
        owner=fundraiser.owner,
        title="Second",
        slug="second",
        goal=Decimal("500"),
        team=fundraiser.team,
    )
    references = []
    for n in range(40):
        reference = f"sbx_c{n}"
        # 13 distinct donors, so the same person's gifts land at the same moment.
        make_donation(
            campaign,
            fundraiser=fundraiser if n % 3 else other,
            amount=f"{100 + n}.{n % 100:02d}",
            email=f"donor{n % 13}@example.org",
            reference=reference,
        )
        SandboxPayment.objects.create(
            reference=reference,
            amount_minor=(100 + n) * 100 + n % 100,
            currency="RUB",
            status="succeeded",
            return_url="/",
        )
        references.append(reference)
    # Every callback is delivered twice, by different threads, in different orders.
    batches = [references[i::8] + references[(i + 3) % 8 :: 8] for i in range(8)]
    errors = []
    threads = [threading.Thread(target=_deliver, args=(batch, errors)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Donation.objects.filter(status="succeeded").count() == 40
    for obj, scope in [
        (Campaign.objects.get(), {"campaign": campaign}),
        (Team.objects.get(), {"team": fundraiser.team}),
        (Fundraiser.objects.get(pk=fundraiser.pk), {"fundraiser": fundraiser}),
        (Fundraiser.objects.get(pk=other.pk), {"fundraiser": other}),
    ]:
        fresh = totals_aggregate(Donation.objects.filter(**scope))
        assert (obj.raised_amount, obj.donor_count, obj.donation_count) == (
            fresh["raised"],
            fresh["donors"],
            fresh["donations"],
        )
    assert Campaign.objects.get().donor_count == 13
    assert Campaign.objects.get().raised_amount == sum(Decimal(f"{100 + n}.{n % 100:02d}") for n in range(40))
