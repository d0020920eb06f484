"""Calls to action: sent to a segment, the link's first open and the "I'm in" counted once."""

import re

import pytest
from django.core import signing

from communities.models import Tag
from communities.routine.models import CallToAction, CallToActionResponse
from communities.routine.services import mobilisation
from communities.services import CommunityError
from members.models import Activity, OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    community = CommunityFactory(name="Running for Hope", slug="running")
    manager = MembershipFactory(community=community, role="manager", user=UserFactory(consent_news=True)).user
    drivers = Tag.objects.create(community=community, name="drivers")
    driver = MembershipFactory(community=community, user=UserFactory(name="Dina Driver", consent_news=True))
    driver.tags.add(drivers)
    walker = MembershipFactory(community=community, user=UserFactory(name="Walt Walker", consent_news=True))
    quiet = MembershipFactory(community=community, user=UserFactory(name="Quiet Quinn", consent_news=False))
    MembershipFactory(community=community, status="left", user=UserFactory(consent_news=True))
    outsider = MembershipFactory(role="manager").user
    return locals()


def send(cast, segment=(), **fields):
    values = {"title": "Clean the river", "body": "<p>Saturday 10:00</p>", "button_label": "I'm in", **fields}
    return mobilisation.call_to_action_send(
        community=cast["community"], actor=cast["manager"], segment=segment, **values
    )


def test_a_call_to_a_segment_reaches_its_active_members_who_agreed_once(cast, commit, mailoutbox):
    with commit():
        call = send(cast, segment=[["tag", str(cast["drivers"].pk)]])
    mobilisation.call_to_action_batch_send(call_id=call.pk, membership_ids=[cast["driver"].pk])

    assert call.recipients == 1
    assert [m.to for m in mailoutbox] == [[cast["driver"].user.email]]
    message = OutboundMessage.objects.get(key__startswith=f"cta:{call.pk}:")
    assert (message.category, message.community) == (OutboundMessage.Category.NEWS, cast["community"])


def test_everyone_means_every_active_member_and_opt_outs_are_skipped(cast, commit, mailoutbox):
    with commit():
        call = send(cast)

    assert call.recipients == 4  # manager, driver, walker, quiet; not the one who left
    assert len(mailoutbox) == 3
    assert OutboundMessage.objects.get(user=cast["quiet"].user).status == OutboundMessage.Status.SKIPPED


def test_the_link_counts_the_first_open_and_the_button_the_response(cast, client, commit, mailoutbox, settings):
    settings.SITE_URL = "http://testserver"
    with commit():
        call = send(cast, segment=[["tag", str(cast["drivers"].pk)]], link="https://example.org/river")
    url = re.search(r"http://testserver(/go/[^/\s]+/)", mailoutbox[0].body).group(1)

    first = client.get(url)
    client.get(url)
    yes = client.post(url)
    client.post(url)

    assert "Clean the river" in first.content.decode()
    assert "https://example.org/river" in first.content.decode()
    assert "The managers know you are in" in yes.content.decode()
    figures = mobilisation.calls_of(cast["community"]).get(pk=call.pk)
    assert (figures.recipients, figures.sent, figures.opened, figures.responded) == (1, 1, 1, 1)
    replied = Activity.objects.get(kind=Activity.Kind.REPLIED)
    assert (replied.user, replied.data) == (cast["driver"].user, {"call": call.pk})


def test_a_forged_link_counts_nothing(cast, client, commit):
    with commit():
        call = send(cast)
    forged = signing.dumps({"c": call.pk, "m": cast["walker"].pk}, salt="communities.checkin.reply")

    assert client.get(f"/go/{forged}/").status_code == 400
    assert client.post("/go/nonsense/").status_code == 400
    assert not CallToActionResponse.objects.filter(opened_at__isnull=False).exists()


def test_a_call_needs_a_title_a_text_and_a_button_and_somebody_to_go_to(cast):
    with pytest.raises(mobilisation.CrmInputError) as refused:
        send(cast, title=" ", body="<script></script>", button_label="")
    with pytest.raises(CommunityError):
        send(cast, segment=[["stage", "lapsed"]])
    assert set(refused.value.errors) == {"title", "body", "button_label"}
    assert not CallToAction.objects.exists()


def test_the_managers_page_sends_to_the_ticked_segment_and_shows_the_figures(cast, client, commit, mailoutbox):
    client.force_login(cast["manager"])
    data = {"title": "Drive to the race", "body": "We need cars", "button_label": "I can drive"}

    with commit():
        response = client.post("/c/running/manage/calls/", {**data, "tag": str(cast["drivers"].pk)})
    page = client.get("/c/running/manage/calls/").content.decode()

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[cast["driver"].user.email]]
    assert "Drive to the race" in page
    assert client.post("/c/running/manage/calls/", {**data, "title": ""}).status_code == 200


def test_only_the_communitys_managers_open_the_calls_page(cast, client):
    assert client.get("/c/running/manage/calls/").status_code == 302
    for person in (cast["outsider"], cast["driver"].user):
        client.force_login(person)
        assert client.get("/c/running/manage/calls/").status_code == 404


def test_the_calls_page_has_a_bounded_query_count(cast, client, commit, django_assert_max_num_queries):
    for n in range(12):
        with commit():
            send(cast, title=f"Call {n}")
    client.force_login(cast["manager"])

    with django_assert_max_num_queries(12):
        page = client.get("/c/running/manage/calls/").content.decode()

    assert page.count("opened the link") == 12
