import pytest
from django.urls import reverse

from communities.models import Announcement, Community, Membership
from communities.services.announcements import announcement_publish
from tests.events.factories import EventFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.fundraising.conftest import make_campaign

pytestmark = pytest.mark.django_db


def detail_url(community):
    return reverse("communities:detail", kwargs={"slug": community.slug})


def test_visitors_see_public_communities_only(client):
    CommunityFactory(name="Open hearts")
    CommunityFactory(name="Secret board", visibility="private")

    body = client.get(reverse("communities:list")).content.decode()

    assert "Open hearts" in body
    assert "Secret board" not in body


def test_members_see_their_private_community_in_the_list(client):
    private = CommunityFactory(name="Secret board", visibility="private")
    member = MembershipFactory(community=private).user
    client.force_login(member)

    body = client.get(reverse("communities:list")).content.decode()

    assert "Secret board" in body
    assert "You are a member" in body


def test_staff_see_every_community(client):
    CommunityFactory(name="Secret board", visibility="private")
    client.force_login(UserFactory(is_staff=True))

    assert "Secret board" in client.get(reverse("communities:list")).content.decode()


def test_the_list_shows_member_counts_and_an_empty_state(client):
    assert "No communities yet" in client.get(reverse("communities:list")).content.decode()
    community = CommunityFactory(name="Runners")
    MembershipFactory.create_batch(3, community=community)
    MembershipFactory(community=community, status="pending")

    body = client.get(reverse("communities:list")).content.decode()

    assert "3 members" in body


def test_the_list_takes_the_same_number_of_queries_however_many_communities(client, django_assert_num_queries):
    viewer = UserFactory()
    for n in range(30):
        community = CommunityFactory()
        MembershipFactory.create_batch(2, community=community)
        if n % 3 == 0:
            MembershipFactory(community=community, user=viewer)
    client.force_login(viewer)

    # session, user, count for the paginator, the page of communities with counts and the viewer's status
    with django_assert_num_queries(4):
        response = client.get(reverse("communities:list"))
    assert response.status_code == 200
    assert response.content.decode().count("kd-community-card") == 24


def test_the_community_page_shows_description_news_and_member_count(client):
    community = CommunityFactory(name="Lighthouse", description="<p>We help <b>families</b></p><script>x()</script>")
    manager = MembershipFactory(community=community, role="manager").user
    MembershipFactory.create_batch(2, community=community)
    announcement_publish(community=community, actor=manager, title="November report", body="We raised a lot.")

    body = client.get(detail_url(community)).content.decode()

    assert "<b>families</b>" in body
    assert "November report" in body
    assert "<p>We raised a lot.</p>" in body
    assert "3 members" in body
    assert "Sign in and join" in body


def test_the_community_page_takes_a_bounded_number_of_queries(client, django_assert_num_queries):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    MembershipFactory.create_batch(20, community=community)
    for n in range(8):
        Announcement.objects.create(community=community, author=manager, title=f"News {n}", body="<p>Hi</p>")
    EventFactory.create_batch(4, community=community)
    for n in range(4):
        make_campaign(community, slug=f"campaign-{n}", title=f"Campaign {n}")
    client.force_login(manager)

    # session, user, community, membership, manager check, member count, announcements with authors,
    # upcoming events with their counts, active campaigns, the member's e-mail preferences
    with django_assert_num_queries(10):
        response = client.get(detail_url(community))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Campaign " in body
    assert body.count("kd-community-link") == 6  # three events and three campaigns at most


@pytest.mark.parametrize(
    ("policy", "label"), [("open", "Join"), ("approval", "Ask to join"), ("invitation", "Invitation only")]
)
def test_the_community_page_offers_the_action_of_its_join_policy(client, user, policy, label):
    community = CommunityFactory(join_policy=policy)
    client.force_login(user)

    assert label in client.get(detail_url(community)).content.decode()


def test_joining_an_open_community_from_its_page(client, user):
    community = CommunityFactory(join_policy="open", name="Runners")
    client.force_login(user)

    response = client.post(reverse("communities:join", kwargs={"slug": community.slug}), follow=True)

    assert "Welcome! You are now a member of Runners." in response.content.decode()
    assert "Leave the community" in response.content.decode()
    assert Membership.objects.get(community=community, user=user).is_active


def test_asking_to_join_with_a_message(client, user, commit, mailoutbox):
    community = CommunityFactory(join_policy="approval")
    MembershipFactory(community=community, role="manager")
    client.force_login(user)

    with commit():
        response = client.post(
            reverse("communities:join", kwargs={"slug": community.slug}), {"message": "Hello!"}, follow=True
        )

    assert "Your request is waiting for a manager" in response.content.decode()
    assert Membership.objects.get(community=community, user=user).message == "Hello!"
    assert len(mailoutbox) == 1


def test_asking_to_join_an_invitation_only_community_shows_why_not(client, user):
    community = CommunityFactory(join_policy="invitation")
    client.force_login(user)

    response = client.post(reverse("communities:join", kwargs={"slug": community.slug}), follow=True)

    assert "by invitation only" in response.content.decode()


def test_the_last_manager_leaving_is_told_why_not(client):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    client.force_login(manager)

    response = client.post(reverse("communities:leave", kwargs={"slug": community.slug}), follow=True)

    assert "at least one manager" in response.content.decode()


def test_leaving_a_private_community_goes_back_to_the_list(client):
    community = CommunityFactory(visibility="private")
    MembershipFactory(community=community, role="manager")
    member = MembershipFactory(community=community).user
    client.force_login(member)

    response = client.post(reverse("communities:leave", kwargs={"slug": community.slug}))

    assert response.url == reverse("communities:list")


def test_staff_create_a_community_and_become_its_manager(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    data = {
        "name": "Волонтёры «Маяка»",
        "slug": "",
        "kind": "volunteers",
        "description": "Line one\n\nLine two",
        "visibility": "public",
        "join_policy": "approval",
        "timezone": "Europe/Moscow",
    }

    response = client.post(reverse("communities:create"), data)

    community = Community.objects.get(name="Волонтёры «Маяка»")
    assert community.slug == "volontery-mayaka"
    assert response.url == detail_url(community)
    assert community.description == "<p>Line one</p>\n\n<p>Line two</p>"
    assert Membership.objects.get(community=community, user=staff).is_manager


def test_creating_a_community_with_bad_input_shows_field_errors(client):
    client.force_login(UserFactory(is_staff=True))
    CommunityFactory(slug="taken")

    response = client.post(reverse("communities:create"), {"name": "", "slug": "taken", "kind": "nope"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "slug", "kind"}


def test_a_reserved_slug_is_refused(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        reverse("communities:create"),
        {
            "name": "New",
            "slug": "new",
            "kind": "team",
            "visibility": "public",
            "join_policy": "open",
            "timezone": "UTC",
        },
    )

    assert "reserved" in str(response.context["form"].errors["slug"])


def test_home_shows_public_communities_to_visitors_and_their_own_to_members(client):
    CommunityFactory(name="Open hearts")
    mine = CommunityFactory(name="My team", visibility="private")
    member = MembershipFactory(community=mine).user

    assert "Open hearts" in client.get("/").content.decode()
    client.force_login(member)
    body = client.get("/").content.decode()
    assert "Your communities" in body
    assert body.index("My team") < body.index("More communities") < body.index("Open hearts")


def test_settings_page_saves_changes(client):
    community = CommunityFactory(name="Old name")
    manager = MembershipFactory(community=community, role="manager").user
    client.force_login(manager)
    data = {
        "name": "New name",
        "slug": community.slug,
        "kind": "donors",
        "description": "<p>Hi <a href='javascript:alert(1)'>x</a></p>",
        "visibility": "private",
        "join_policy": "invitation",
        "timezone": "Asia/Omsk",
    }

    response = client.post(reverse("communities:manage", kwargs={"slug": community.slug}), data)

    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.name, community.visibility, community.timezone) == ("New name", "private", "Asia/Omsk")
    assert "javascript" not in community.description


def test_requests_page_approves_with_one_htmx_tap(client, commit, mailoutbox):
    community = CommunityFactory(join_policy="approval")
    manager = MembershipFactory(community=community, role="manager").user
    request = MembershipFactory(community=community, status="pending", joined_at=None, message="Let me in")
    client.force_login(manager)
    page = client.get(reverse("communities:manage_requests", kwargs={"slug": community.slug}))
    assert "Let me in" in page.content.decode()

    url = reverse("communities:manage_request_approve", kwargs={"slug": community.slug, "pk": request.pk})
    with commit():
        response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Approved" in response.content.decode()
    assert "<html" not in response.content.decode()
    request.refresh_from_db()
    assert request.is_active
    assert [m.to for m in mailoutbox] == [[request.user.email]]


def test_requests_page_declines_without_htmx_too(client):
    community = CommunityFactory(join_policy="approval")
    manager = MembershipFactory(community=community, role="manager").user
    request = MembershipFactory(community=community, status="pending", joined_at=None)
    client.force_login(manager)

    url = reverse("communities:manage_request_decline", kwargs={"slug": community.slug, "pk": request.pk})
    asked = client.post(url)
    assert "will get an e-mail that their request to join is declined" in asked.content.decode()
    assert Membership.objects.filter(pk=request.pk, status="pending").exists()
    response = client.post(url, {"confirmed": "1"})

    assert response.url == reverse("communities:manage_requests", kwargs={"slug": community.slug})
    assert not Membership.objects.filter(pk=request.pk).exists()


def test_manager_pages_list_in_bounded_queries(client, django_assert_num_queries):
    community = CommunityFactory(join_policy="approval")
    manager = MembershipFactory(community=community, role="manager").user
    MembershipFactory.create_batch(15, community=community, status="pending", joined_at=None)
    MembershipFactory.create_batch(5, community=community, role="host")
    client.force_login(manager)

    # session, user, community by manager, paginator count, page of requests with people, pending badge,
    # members asking to host with their people
    with django_assert_num_queries(7):
        client.get(reverse("communities:manage_requests", kwargs={"slug": community.slug}))
    # session, user, community by manager, managers and hosts with their people, pending badge
    with django_assert_num_queries(5):
        client.get(reverse("communities:manage_roles", kwargs={"slug": community.slug}))


def test_people_page_gives_a_role_by_email_and_removes(client):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    member = MembershipFactory(community=community, user__email="vera@example.org")
    client.force_login(manager)
    people_url = reverse("communities:manage_roles", kwargs={"slug": community.slug})

    client.post(people_url, {"email": "VERA@example.org", "role": "host"})
    member.refresh_from_db()
    assert member.role == "host"
    assert "vera@example.org" in client.get(people_url).content.decode()

    remove = reverse("communities:manage_person_remove", kwargs={"slug": community.slug, "pk": member.pk})
    asked = client.post(remove).content.decode()
    member.refresh_from_db()
    assert "They can come back only with a new invitation." in asked
    assert member.status == "active"
    client.post(remove, {"confirmed": "1"})
    member.refresh_from_db()
    assert member.status == "removed"


def test_people_page_says_when_nobody_has_that_email(client):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    client.force_login(manager)

    response = client.post(
        reverse("communities:manage_roles", kwargs={"slug": community.slug}), {"email": "x@y.org", "role": "host"}
    )

    assert "No active member" in response.content.decode()


def test_a_manager_who_steps_down_goes_back_to_the_community_page(client):
    community = CommunityFactory()
    me = MembershipFactory(community=community, role="manager")
    MembershipFactory(community=community, role="manager")
    client.force_login(me.user)

    url = reverse("communities:manage_person_role", kwargs={"slug": community.slug, "pk": me.pk})
    asked = client.post(url, {"role": "member"}).content.decode()
    me.refresh_from_db()
    assert "You will no longer manage this community" in asked
    assert 'name="role" value="member"' in asked
    assert me.role == "manager"
    response = client.post(url, {"role": "member", "confirmed": "1"})

    assert response.url == detail_url(community)


def test_bad_input_on_manager_forms_never_gives_a_500(client):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    member = MembershipFactory(community=community)
    client.force_login(manager)
    slug = community.slug

    for name, data in [
        ("communities:manage_invitations", {"email": "not-an-email", "role": "king"}),
        ("communities:manage_links", {"max_uses": "-3", "days": "abc"}),
        ("communities:manage_announcements", {"title": "", "body": ""}),
        ("communities:manage", {"name": "", "timezone": "Mars/Base"}),
    ]:
        response = client.post(reverse(name, kwargs={"slug": slug}), data)
        assert response.status_code == 200, name
        assert "Please correct the errors below." in response.content.decode(), name
    role_url = reverse("communities:manage_person_role", kwargs={"slug": slug, "pk": member.pk})
    assert client.post(role_url, {"role": "emperor"}).status_code == 302


def png(size=(32, 16)):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (11, 110, 95)).save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def settings_data(community, **changes):
    data = {
        "name": community.name,
        "slug": community.slug,
        "kind": community.kind,
        "description": community.description,
        "visibility": community.visibility,
        "join_policy": community.join_policy,
        "timezone": community.timezone,
    }
    return {**data, **changes}


def test_a_manager_uploads_a_cover_that_replaces_the_placeholder(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    client.force_login(manager)
    assert "kd-community-initials" in client.get(detail_url(community)).content.decode()

    client.post(reverse("communities:manage", kwargs={"slug": community.slug}), settings_data(community, cover=png()))

    community.refresh_from_db()
    assert community.cover.name.startswith("communities/covers/")
    body = client.get(detail_url(community)).content.decode()
    assert f'src="{community.cover.url}"' in body
    assert "kd-community-initials" not in body


def test_a_cover_that_is_not_an_image_is_refused(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory()
    client.force_login(MembershipFactory(community=community, role="manager").user)
    fake = SimpleUploadedFile("cover.png", b"not an image", content_type="image/png")

    response = client.post(
        reverse("communities:manage", kwargs={"slug": community.slug}), settings_data(community, cover=fake)
    )

    assert response.status_code == 200
    assert "cover" in response.context["form"].errors
