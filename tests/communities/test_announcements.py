import pytest
from django.urls import reverse

from communities.models import Announcement
from communities.services import CommunityError
from communities.services.announcements import announcement_publish
from communities.tasks import announcement_email_task
from members.models import OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Lighthouse")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager", user__consent_news=False).user


def test_an_announcement_is_emailed_once_to_each_active_member_who_opted_in(community, manager, commit, mailoutbox):
    english = MembershipFactory(community=community, user__consent_news=True).user
    russian = MembershipFactory(community=community, user__consent_news=True, user__language="ru").user
    MembershipFactory(community=community, user__consent_news=False)  # did not opt in
    MembershipFactory(community=community, status="left", user__consent_news=True)
    MembershipFactory(community=community, status="pending", user__consent_news=True, joined_at=None)
    MembershipFactory(community=community, user__consent_news=True, user__is_active=False)
    MembershipFactory(user__consent_news=True)  # another community

    with commit():
        announcement = announcement_publish(
            community=community, actor=manager, title="November report", body="We raised <b>1 500 ₽</b>."
        )

    assert sorted(m.to[0] for m in mailoutbox) == sorted([english.email, russian.email])
    message = next(m for m in mailoutbox if m.to == [english.email])
    assert message.subject == "Lighthouse: November report"
    assert "We raised 1 500 ₽." in message.body
    assert "<b>1 500 ₽</b>" in message.alternatives[0][0]
    assert OutboundMessage.objects.get(key=f"announcement:{announcement.pk}:{russian.pk}").language == "ru"
    announcement.refresh_from_db()
    assert announcement.recipients == 2


def test_running_the_task_again_sends_nothing_twice(community, manager, commit, mailoutbox):
    MembershipFactory.create_batch(3, community=community, user__consent_news=True)
    with commit():
        announcement = announcement_publish(community=community, actor=manager, title="News", body="Hello")
    assert len(mailoutbox) == 3

    with commit():
        announcement_email_task.delay(announcement.pk)
        announcement_email_task.delay(announcement.pk)

    assert len(mailoutbox) == 3
    assert OutboundMessage.objects.filter(key__startswith=f"announcement:{announcement.pk}:").count() == 3
    announcement.refresh_from_db()
    assert announcement.recipients == 3


def test_a_large_community_is_emailed_in_batches(community, manager, commit, mailoutbox, monkeypatch):
    from communities.services import announcements

    monkeypatch.setattr(announcements, "EMAIL_BATCH_SIZE", 4)
    members = MembershipFactory.create_batch(10, community=community, user__consent_news=True)
    batches = []
    original = announcements.announcement_email_batch

    def counting(**kwargs):
        batches.append(kwargs["after_user_id"])
        return original(**kwargs)

    monkeypatch.setattr(announcements, "announcement_email_batch", counting)

    with commit():
        announcement = announcement_publish(community=community, actor=manager, title="News", body="Hello")

    assert len(batches) == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.user.email for m in members)
    announcement.refresh_from_db()
    assert announcement.recipients == 10


def test_publishing_sends_nothing_in_the_request(community, manager, mailoutbox, django_capture_on_commit_callbacks):
    MembershipFactory.create_batch(2, community=community, user__consent_news=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announcement_publish(community=community, actor=manager, title="News", body="Hello")

    assert mailoutbox == []
    assert len(callbacks) == 1  # the batch task, queued after the transaction commits


def test_an_announcement_body_is_sanitised(community, manager):
    announcement = announcement_publish(
        community=community, actor=manager, title="Hi", body="<p onclick='x()'>Hi</p><script>alert(1)</script>"
    )

    assert announcement.body == "<p>Hi</p>"


def test_only_managers_publish(community):
    host = MembershipFactory(community=community, role="host").user

    with pytest.raises(CommunityError, match="managers"):
        announcement_publish(community=community, actor=host, title="Hi", body="Hello")


def test_an_empty_announcement_is_refused(community, manager):
    with pytest.raises(CommunityError, match="title and some text"):
        announcement_publish(community=community, actor=manager, title="Hi", body="<script></script>")


def test_publishing_from_the_manager_page_shows_it_on_the_community_page(client, community, manager, commit):
    MembershipFactory(community=community, user__consent_news=True)
    client.force_login(manager)
    url = reverse("communities:manage_announcements", kwargs={"slug": community.slug})

    with commit():
        response = client.post(url, {"title": "Monthly report", "body": "Thank you all", "confirmed": "1"})

    assert response.status_code == 302
    assert "e-mailed to 1 person" in client.get(url).content.decode()
    assert "Monthly report" in client.get(community.get_absolute_url()).content.decode()
    assert Announcement.objects.get().recipients == 1


def test_publishing_asks_first_with_who_gets_it_a_preview_and_a_test(client, community, manager, commit, mailoutbox):
    MembershipFactory.create_batch(3, community=community, user__consent_news=True)
    MembershipFactory.create_batch(2, community=community, user__consent_news=False)
    manager.consent_news = False  # the manager is a member too: a third who turned news off
    manager.save(update_fields=["consent_news"])
    client.force_login(manager)
    url = reverse("communities:manage_announcements", kwargs={"slug": community.slug})
    data = {"title": "Monthly report", "body": "We raised **a lot**.\n\nThank you"}

    asked = client.post(url, data).content.decode()
    with commit():
        tested = client.post(url, {**data, "test": "1"}).content.decode()

    assert "3 people will get this e-mail." in asked
    assert "3 members have turned off news" in asked
    assert "Thank you</p>" in asked  # the preview
    assert not Announcement.objects.exists()
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert "A test is on its way" in tested
    with commit():
        client.post(url, {**data, "confirmed": "1"})
    assert Announcement.objects.get().recipients == 3
