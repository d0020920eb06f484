import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from fundraising.models import Donation, Fundraiser
from fundraising.services import donation_transition
from tests.factories import CommunityFactory, MembershipFactory
from tests.fundraising.conftest import make_campaign
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
S = Donation.Status


def _give(client, target, **data):
    kind = "fundraiser" if isinstance(target, Fundraiser) else "campaign"
    form = {"preset": "1000.00", "name": "Olga", "email": "olga@example.org", **data}
    return client.post(reverse("fundraising:give", args=[kind, target.slug]), form)


def test_a_donor_gives_through_the_sandbox_and_the_total_rises(
    client, campaign, fundraiser, provider_http, commit, mailoutbox
):
    response = _give(client, fundraiser, preset="", amount="1,234.50", message="Go Nina!")
    checkout = response["Location"]
    page = client.get(checkout)
    assert "TEST MODE" in page.content.decode()

    with commit():
        done = client.post(checkout, {"outcome": "succeed"})
    thanks = client.get(done["Location"])

    fundraiser.refresh_from_db()
    assert fundraiser.raised_amount == Decimal("1234.50")
    assert "Thank you!" in thanks.content.decode()
    assert "RUB\u00a01,234.50" in thanks.content.decode()
    assert {m.to[0] for m in mailoutbox} == {"olga@example.org", fundraiser.owner.email}


def test_a_failed_test_payment_offers_to_try_again(client, campaign, provider_http, commit):
    checkout = _give(client, campaign)["Location"]
    with commit():
        done = client.post(checkout, {"outcome": "fail"})

    assert "did not go through" in client.get(done["Location"]).content.decode()
    assert Donation.objects.get().status == S.FAILED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"preset": "", "amount": "-5"}, "greater than zero"),
        ({"preset": "", "amount": "0"}, "greater than zero"),
        ({"preset": "", "amount": "10.123"}, "Write it like 1,500.50"),
        ({"preset": "", "amount": "100,50"}, "Write it like 1,500.50"),
        ({"preset": "", "amount": "99999999"}, "largest amount"),
        ({"preset": "", "amount": "ten"}, "as a number"),
        ({"preset": "", "amount": ""}, "Choose an amount"),
        ({"email": "nope"}, "valid email"),
        ({"name": "", "anonymous": ""}, "your name"),
    ],
)
def test_bad_gifts_are_answered_with_the_reason_next_to_the_field(client, campaign, data, message):
    response = _give(client, campaign, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Donation.objects.exists()


def test_giving_is_rate_limited_per_address(client, campaign, provider_http):
    statuses = [_give(client, campaign).status_code for _ in range(11)]

    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert Donation.objects.count() == 10


def test_the_campaign_page_shows_progress_leaderboard_and_hides_anonymous_names(client, campaign, fundraiser):
    for name, anonymous, amount in [("Visible Vera", False, "3000"), ("Secret Sam", True, "2000")]:
        donation = make_donation(
            campaign,
            fundraiser=fundraiser,
            amount=amount,
            donor_name=name,
            anonymous=anonymous,
            email=f"{name[:3]}@example.org",
            message="private note",
            message_private=True,
        )
        donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)

    html = client.get(campaign.get_absolute_url()).content.decode()

    assert "Visible Vera" in html
    assert "Secret Sam" not in html
    assert "private note" not in html
    assert "RUB\u00a05,000" in html
    assert "2 donors" in html
    assert fundraiser.title in html
    assert fundraiser.team.name in html
    assert 'property="og:title"' in html
    assert "t.me/share" in html
    assert "vk.com/share" in html


def test_the_russian_page_shows_roubles_the_russian_way(client, campaign):
    html = client.get(campaign.get_absolute_url(), headers={"Accept-Language": "ru"}).content.decode()

    assert "0\u00a0₽" in html
    assert "100\u00a0000\u00a0₽" in html


def test_the_cached_page_body_holds_no_csrf_token_or_nonce(client, campaign):
    first = client.get(campaign.get_absolute_url()).content.decode()
    second = client.get(campaign.get_absolute_url()).content.decode()

    cached = [cache.get(f"fundraising:body:campaign:{campaign.pk}:{lang}") for lang in ("en",)]
    assert cached[0]
    assert "csrfmiddlewaretoken" not in cached[0]
    assert "nonce" not in cached[0]
    tokens = [re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1) for html in (first, second)]
    assert tokens[0] != tokens[1]  # the page around the body is still rendered per visitor


@pytest.mark.parametrize("donations", [1, 30])
def test_public_pages_cost_the_same_queries_whatever_the_number_of_gifts(
    client, campaign, fundraiser, django_assert_num_queries, donations, clear_cache
):
    for n in range(donations):
        donation = make_donation(campaign, fundraiser=fundraiser, amount="100", email=f"q{n}@example.org")
        donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    clear_cache()
    # campaign, fundraisers leaderboard, teams leaderboard, recent donors, updates
    with django_assert_num_queries(5):
        client.get(campaign.get_absolute_url())
    # fundraiser (with campaign, owner, team), recent donors, updates
    with django_assert_num_queries(3):
        client.get(fundraiser.get_absolute_url())
    # a cached body: only the campaign itself
    with django_assert_num_queries(1):
        client.get(campaign.get_absolute_url())


def test_a_hidden_fundraiser_is_gone_for_the_public_and_takes_no_gifts(client, fundraiser, owner, manager):
    Fundraiser.objects.filter(pk=fundraiser.pk).update(status=Fundraiser.Status.HIDDEN, hidden_reason="x")

    assert client.get(fundraiser.get_absolute_url()).status_code == 404
    assert client.get(reverse("fundraising:give", args=["fundraiser", fundraiser.slug])).status_code == 404
    client.force_login(owner)
    assert client.get(fundraiser.get_absolute_url()).status_code == 200
    assert client.get(reverse("fundraising:give", args=["fundraiser", fundraiser.slug])).status_code == 404
    client.force_login(manager)
    assert client.get(fundraiser.get_absolute_url()).status_code == 200


def test_draft_campaigns_and_private_communities_are_not_public(client, community, member):
    draft = make_campaign(community, status="draft")
    private = make_campaign(CommunityFactory(visibility="private"))

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(reverse("fundraising:give", args=["campaign", private.slug])).status_code == 404
    MembershipFactory(community=private.community, user=member)
    client.force_login(member)
    assert client.get(private.get_absolute_url()).status_code == 200


def test_a_supporter_opens_a_fundraiser_in_a_team_and_sees_it_in_my_fundraising(client, campaign, member):
    client.force_login(member)
    form = client.get(reverse("fundraising:fundraiser_open", args=[campaign.slug])).content.decode()
    assert "Blankets and heaters" in form  # the story is prefilled from the campaign

    response = client.post(
        reverse("fundraising:fundraiser_open", args=[campaign.slug]),
        {
            "title": "Birthday for warmth",
            "goal": "15000",
            "story": "<p>My birthday</p>",
            "team_name": "Office",
        },
    )

    fundraiser = Fundraiser.objects.get(title="Birthday for warmth")
    assert response["Location"] == fundraiser.get_absolute_url()
    assert fundraiser.team.name == "Office"
    mine = client.get(reverse("fundraising:mine")).content.decode()
    assert "Birthday for warmth" in mine


def test_opening_a_fundraiser_needs_an_account(client, campaign):
    response = client.get(reverse("fundraising:fundraiser_open", args=[campaign.slug]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_owner_edits_posts_updates_and_thanks_donors(client, campaign, fundraiser, owner, commit, mailoutbox):
    donation = make_donation(
        campaign,
        fundraiser=fundraiser,
        donor_name="Pavel",
        email="pavel@example.org",
        message="For the kids",
        message_private=True,
    )
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    client.force_login(owner)

    client.post(
        reverse("fundraising:fundraiser_edit", args=[fundraiser.slug]),
        {"title": "Nina runs 42 km", "goal": "20000", "story": "<p>Marathon</p>"},
    )
    client.post(
        reverse("fundraising:fundraiser_update_new", args=[fundraiser.slug]),
        {"title": "Kilometre 30", "body": "Still running"},
    )
    donors = client.get(reverse("fundraising:fundraiser_donations", args=[fundraiser.slug])).content.decode()
    mailoutbox.clear()
    with commit():
        client.post(
            reverse("fundraising:donation_thank", args=[fundraiser.slug, donation.pk]), {"note": "Thank you, Pavel!"}
        )

    fundraiser.refresh_from_db()
    assert (fundraiser.title, fundraiser.goal) == ("Nina runs 42 km", Decimal("20000"))
    assert "Kilometre 30" in client.get(fundraiser.get_absolute_url()).content.decode()
    assert "Pavel" in donors
    assert "pavel@example.org" not in donors  # not shared with the owner
    assert "For the kids" not in donors  # only for the organisers
    assert [m.to for m in mailoutbox] == [["pavel@example.org"]]  # thanked without seeing the address


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "manager_of_other"])
def test_only_the_owner_reaches_the_owner_pages(client, fundraiser, who, member, outsider):
    user = {"anonymous": None, "outsider": outsider, "member": member, "manager_of_other": outsider}[who]
    if user:
        client.force_login(user)
    for name in ("fundraiser_edit", "fundraiser_update_new", "fundraiser_donations"):
        response = client.get(reverse(f"fundraising:{name}", args=[fundraiser.slug]))
        assert response.status_code in (302, 404)
        assert fundraiser.owner.email not in response.content.decode()


def test_a_new_gift_shows_at_once_on_cached_pages(client, campaign, fundraiser, commit):
    client.get(fundraiser.get_absolute_url())  # cached for anonymous visitors
    donation = make_donation(campaign, fundraiser=fundraiser, amount="4321")
    with commit():
        donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)

    assert "RUB\u00a04,321" in client.get(fundraiser.get_absolute_url()).content.decode()


def test_the_sandbox_checkout_sends_one_callback_however_often_it_is_pressed(client, campaign, provider_http, commit):
    checkout = _give(client, campaign)["Location"]
    with commit():
        client.post(checkout, {"outcome": "succeed"})
        client.post(checkout, {"outcome": "fail"})  # too late: the payment is done

    campaign.refresh_from_db()
    assert Donation.objects.get().status == S.SUCCEEDED
    assert campaign.raised_amount == Decimal("1000")
    assert "already complete" in client.get(checkout).content.decode()


def test_my_fundraising_lists_my_donations_and_a_manager_link(client, campaign, fundraiser, manager):
    donation = make_donation(campaign, fundraiser=fundraiser, email=manager.email, amount="777")
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    make_donation(campaign, email=manager.email, amount="888")  # pending: not listed
    client.force_login(manager)

    html = client.get(reverse("fundraising:mine")).content.decode()

    assert "RUB\u00a0777" in html
    assert "RUB\u00a0888" not in html
    assert reverse("fundraising:manage_campaigns") in html


def test_the_team_page_adds_up_its_members_and_invites_to_join(client, campaign, fundraiser, team, member):
    donation = make_donation(campaign, fundraiser=fundraiser, amount="1500")
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)

    html = client.get(team.get_absolute_url()).content.decode()

    assert "RUB\u00a01,500" in html
    assert fundraiser.title in html
    client.force_login(member)
    form = client.get(reverse("fundraising:fundraiser_open", args=[campaign.slug]) + f"?team={team.slug}")
    assert f'<option value="{team.pk}" selected>' in form.content.decode()


def test_a_fundraiser_for_an_event_links_to_it(client, campaign, member):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event
    from fundraising.services import fundraiser_open

    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        community=campaign.community,
        title="Charity concert",
        slug="concert",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status="published",
    )
    fundraiser = fundraiser_open(campaign=campaign, owner=member, title="Concert for warmth", goal="5000", event=event)

    html = client.get(fundraiser.get_absolute_url()).content.decode()

    assert "Charity concert" in html
    assert list(event.fundraisers.all()) == [fundraiser]


def test_the_thank_you_status_part_polls_until_the_payment_is_confirmed(client, campaign):
    donation = make_donation(campaign)
    url = reverse("fundraising:thanks_status", args=[donation.idempotency_key])

    assert "hx-trigger" in client.get(url).content.decode()
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    assert "hx-trigger" not in client.get(url).content.decode()
    assert client.get(reverse("fundraising:thanks", args=["no-such-key"])).status_code == 404


def test_try_again_after_a_failed_payment_brings_back_what_the_donor_typed(client, campaign, provider_http, commit):
    checkout = _give(
        client, campaign, preset="", amount="1 250", name="Olga", email="olga@example.org", message="For Masha"
    )["Location"]
    with commit():
        done = client.post(checkout, {"outcome": "fail"})
    failure = client.get(done["Location"]).content.decode()
    retry = re.search(r'href="([^"]+\?again=[0-9a-f]+)"', failure).group(1).replace("&amp;", "&")

    form = client.get(retry).content.decode()

    assert 'value="1250"' in form
    assert 'value="Olga"' in form
    assert 'value="olga@example.org"' in form
    assert "For Masha</textarea>" in form
    assert "Telegram" not in failure  # nothing to share yet


def test_a_suggested_amount_comes_back_chosen(client, campaign, provider_http, commit):
    checkout = _give(client, campaign, preset="3000.00")["Location"]
    with commit():
        client.post(checkout, {"outcome": "fail"})
    key = Donation.objects.get().idempotency_key

    form = client.get(reverse("fundraising:give", args=["campaign", campaign.slug]) + f"?again={key}")

    assert 'value="3000.00" autocomplete="off" checked' in form.content.decode()


def test_try_again_does_not_prefill_a_gift_that_went_through_or_another_page(client, campaign, provider_http, commit):
    other = make_campaign(campaign.community)
    checkout = _give(client, campaign, name="Olga")["Location"]
    with commit():
        client.post(checkout, {"outcome": "succeed"})
    key = Donation.objects.get().idempotency_key

    same = client.get(reverse("fundraising:give", args=["campaign", campaign.slug]) + f"?again={key}")
    elsewhere = client.get(reverse("fundraising:give", args=["campaign", other.slug]) + f"?again={key}")

    assert "olga@example.org" not in same.content.decode()
    assert "olga@example.org" not in elsewhere.content.decode()


def test_the_thank_you_page_offers_sharing_once_the_gift_arrived(client, campaign, provider_http, commit):
    checkout = _give(client, campaign)["Location"]
    with commit():
        done = client.post(checkout, {"outcome": "succeed"})

    assert "Telegram" in client.get(done["Location"]).content.decode()


def test_the_give_limit_counts_each_client_behind_the_proxy_separately(client, campaign, provider_http, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    client.defaults.update(behind_proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    busy = [_give(client, campaign).status_code for _ in range(11)]
    client.defaults.update(HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert busy == [302] * 10 + [429]
    assert _give(client, campaign).status_code == 302
