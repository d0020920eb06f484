"""Bulk actions of the directory: tag, message and CSV export of a selection or of the filtered view."""

import csv
import io

import pytest

from communities.models import Membership, Tag
from members.models import Activity, OutboundMessage, User
from tests.communities.directory_support import cast  # noqa: F401
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/c/running/manage/people/"


@pytest.fixture
def manager_client(client, cast):  # noqa: F811
    client.force_login(cast.manager)
    return client


def read_csv(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_bulk_tag_on_ticked_people_creates_the_tag(manager_client, cast):  # noqa: F811
    response = manager_client.post(
        BASE + "tag/",
        {"ids": [cast.member_membership.pk], "tag_name": "Drivers", "role": "member", "confirmed": "1"},
        follow=True,
    )

    tag = Tag.objects.get(community=cast.community, name="Drivers")
    assert list(tag.memberships.all()) == [cast.member_membership]
    assert "Tagged 1 people with “Drivers”." in response.content.decode()
    # Back on the same filtered view.
    assert response.redirect_chain[-1][0] == BASE + "?role=member"


def test_bulk_tag_of_everyone_matching_follows_the_filters_not_the_page(manager_client, cast):  # noqa: F811
    for _ in range(55):
        MembershipFactory(community=cast.community, role=Membership.Role.HOST)

    asked = manager_client.post(BASE + "tag/", {"everyone": "1", "role": "host", "tag_name": "hosts"})
    assert "56 people will be tagged “hosts”." in asked.content.decode()
    assert not Tag.objects.filter(name="hosts").exists()
    manager_client.post(BASE + "tag/", {"everyone": "1", "role": "host", "tag_name": "hosts", "confirmed": "1"})

    tagged = Tag.objects.get(name="hosts").memberships.all()
    assert tagged.count() == 56
    assert not tagged.exclude(role=Membership.Role.HOST).exists()


def test_bulk_tag_ignores_ids_from_another_community(manager_client, cast):  # noqa: F811
    manager_client.post(BASE + "tag/", {"ids": [cast.other_membership.pk], "tag_name": "sneaky", "confirmed": "1"})

    assert not cast.other_membership.tags.exists()


def test_bulk_actions_without_a_selection_say_what_to_do(manager_client):
    response = manager_client.post(BASE + "tag/", {"tag_name": "x"}, follow=True)

    assert "Tick the people to tag first." in response.content.decode()
    assert not Tag.objects.exists()


@pytest.mark.parametrize("name", ["", "\x00", "x" * 41])
def test_a_bulk_tag_with_a_bad_name_is_explained_not_a_crash(manager_client, cast, name):  # noqa: F811
    response = manager_client.post(BASE + "tag/", {"ids": [cast.member_membership.pk], "tag_name": name}, follow=True)

    assert response.status_code == 200
    assert response.context["messages"]
    assert not Tag.objects.exists()


def test_writing_to_a_selection_e_mails_each_active_member_once(manager_client, cast, commit, mailoutbox):  # noqa: F811
    User.objects.update(consent_news=True)  # a directory message is news: for people who agreed
    pending = MembershipFactory(community=cast.community, status=Membership.Status.PENDING)
    left = MembershipFactory(community=cast.community, status=Membership.Status.LEFT)
    selection = {"everyone": "1"}

    compose = manager_client.post(BASE + "message/", selection)
    assert compose.status_code == 200
    assert "It goes by e-mail to 3 active members of the selection." in compose.content.decode()

    message = {**selection, "send": "1", "subject": "Meetup on Friday", "body": "See you at 7.", "confirmed": "1"}
    with commit():
        sent = manager_client.post(BASE + "message/", message, follow=True)
    with commit():
        manager_client.post(BASE + "message/", message)  # a second message, written again on purpose

    assert "Your message is on its way to 3 people." in sent.content.decode()
    recipients = sorted(m.to[0] for m in mailoutbox)
    expected = sorted([cast.manager.email, cast.host.email, cast.member.email])
    # Two messages, each once per active person; nothing to the pending or the departed.
    assert recipients == sorted(expected * 2)
    assert pending.user.email not in recipients
    assert left.user.email not in recipients
    assert OutboundMessage.objects.filter(key__startswith="direct:").count() == 6
    assert Activity.objects.filter(kind=Activity.Kind.MESSAGED, user=cast.member).count() == 2


def test_the_message_form_shows_errors_next_to_the_fields(manager_client, cast, mailoutbox):  # noqa: F811
    response = manager_client.post(
        BASE + "message/", {"ids": [cast.member_membership.pk], "send": "1", "subject": "", "body": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"subject", "body"}
    assert mailoutbox == []


def test_a_message_to_nobody_active_is_refused_with_a_reason(manager_client, cast, mailoutbox):  # noqa: F811
    left = MembershipFactory(community=cast.community, status=Membership.Status.LEFT)

    response = manager_client.post(BASE + "message/", {"ids": [left.pk], "send": "1", "subject": "Hi", "body": "Hello"})

    assert "no one to write to" in response.content.decode()
    assert mailoutbox == []


def test_the_csv_export_matches_the_filtered_view(manager_client, cast):  # noqa: F811
    tag = Tag.objects.create(community=cast.community, name="drivers")
    anna = MembershipFactory(
        community=cast.community,
        role=Membership.Role.HOST,
        user=UserFactory(name="Анна Петрова", email="anna@example.org", phone="+7 916 000-00-01", city="Москва"),
    )
    anna.tags.add(tag)
    query = {"role": "host", "sort": "name"}

    page = manager_client.get(BASE, query)
    response = manager_client.get(BASE + "export.csv", query)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="running-members-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Name", "E-mail", "Phone", "City", "Role", "Status", "Stage", "Tags", "Engagement", "Last activity", "Joined",
    ]  # fmt: skip
    assert [r[1] for r in rows[1:]] == [m.user.email for m in page.context["page"].object_list]
    anna_row = next(r for r in rows if r[1] == "anna@example.org")
    assert anna_row[:4] == ["Анна Петрова", "anna@example.org", "'+7 916 000-00-01", "Москва"]
    assert anna_row[4:9] == ["host", "active", "new", "drivers", "observer"]


def test_exporting_the_selection_gives_only_the_ticked_people(manager_client, cast):  # noqa: F811
    response = manager_client.post(BASE + "export.csv", {"ids": [cast.member_membership.pk, cast.other_membership.pk]})

    rows = read_csv(response)
    assert [r[1] for r in rows[1:]] == [cast.member.email]


def test_the_export_neutralises_cells_that_spreadsheets_would_run(manager_client, cast):  # noqa: F811
    cast.member.name = '=HYPERLINK("http://evil")'
    cast.member.save()

    rows = read_csv(manager_client.get(BASE + "export.csv"))

    assert '\'=HYPERLINK("http://evil")' in [r[0] for r in rows]


def test_the_export_speaks_the_managers_language(client, cast):  # noqa: F811
    cast.manager.language = "ru"
    cast.manager.save()
    client.force_login(cast.manager)

    rows = read_csv(client.get(BASE + "export.csv"))

    assert rows[0][:2] == ["Имя", "E-mail"]
    assert sorted(r[4] for r in rows[1:]) == ["комьюнити-менеджер", "организатор", "участник"]


def test_after_sending_the_manager_sees_the_progress_until_it_is_done(manager_client, cast, commit):  # noqa: F811
    User.objects.update(consent_news=True)  # a directory message is news: for people who agreed
    with commit():
        response = manager_client.post(
            BASE + "message/",
            {"role": "member", "everyone": "1", "send": "1", "subject": "Hi", "body": "Hello", "confirmed": "1"},
        )
    progress_url = response["Location"]
    assert progress_url.startswith(BASE + "message/")

    page = manager_client.get(progress_url)
    partial = manager_client.get(progress_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="message-progress")

    body = page.content.decode()
    assert "Sent 1 of 1" in body
    assert "Done." in body
    assert 'hx-trigger="every 2s"' not in body  # finished: no more polling
    assert "role=member" in page.context["back_url"]
    assert "<html" not in partial.content.decode()
    assert "Sent 1 of 1" in partial.content.decode()


def test_a_message_still_going_out_keeps_polling(manager_client, cast):  # noqa: F811
    # The batches run once the request commits; until then nothing has gone out.
    message = {"everyone": "1", "send": "1", "subject": "Hi", "body": "Hello", "confirmed": "1"}
    response = manager_client.post(BASE + "message/", message)

    page = manager_client.get(response["Location"])

    assert "Sent 0 of 3" in page.content.decode()
    assert not OutboundMessage.objects.exists()
    assert 'hx-trigger="every 2s"' in page.content.decode()


def test_the_progress_of_another_communitys_message_shows_nothing_of_it(client, cast, commit):  # noqa: F811
    client.force_login(cast.other_manager)
    with commit():
        response = client.post(
            "/c/donors/manage/people/message/",
            {"everyone": "1", "send": "1", "subject": "Hi", "body": "Hello", "confirmed": "1"},
        )
    foreign = response["Location"].replace("/c/donors/", "/c/running/")
    client.force_login(cast.manager)

    body = client.get(foreign.split("?")[0]).content.decode()

    assert "Sent 0 of 0" in body
    client.force_login(cast.member)
    assert client.get(foreign).status_code == 404


def test_sending_asks_first_with_who_really_gets_it_a_preview_and_a_test(
    manager_client,
    cast,  # noqa: F811
    commit,
    mailoutbox,
):
    User.objects.update(consent_news=False)
    User.objects.filter(pk=cast.member.pk).update(consent_news=True)
    message = {"everyone": "1", "send": "1", "subject": "Meetup on Friday", "body": "See you at 7.\nBring a friend."}

    asked = manager_client.post(BASE + "message/", message).content.decode()
    with commit():
        tested = manager_client.post(BASE + "message/", {**message, "test": "1"}).content.decode()

    assert "1 person will get this e-mail." in asked
    assert "2 members of the selection have turned off news and will not get it." in asked
    assert "See you at 7.<br>Bring a friend." in asked
    assert 'name="everyone" value="1"' in asked
    assert "A test is on its way" in tested
    assert [m.to for m in mailoutbox] == [[cast.manager.email]]
    assert not OutboundMessage.objects.filter(key__startswith="direct:").exists()
