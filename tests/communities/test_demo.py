import io

import pytest

from communities import demo
from communities.models import Announcement, Community, Invitation, Membership
from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEMO_PEOPLE = ["manager@kindred.test", "volunteer@kindred.test", "maria@kindred.test", "tom@kindred.test"]


def demo_people():
    """The people members/management/commands/seed_demo.py creates before it calls demo.seed."""
    for email in DEMO_PEOPLE:
        UserFactory(email=email)


def test_the_demo_creates_lively_communities_and_is_safe_to_run_again():
    demo_people()
    out = io.StringIO()

    demo.seed(out)
    counts = [Community.objects.count(), Membership.objects.count(), User.objects.count(),
              Announcement.objects.count(), Invitation.objects.count()]  # fmt: skip
    demo.seed(io.StringIO())

    assert [Community.objects.count(), Membership.objects.count(), User.objects.count(),
            Announcement.objects.count(), Invitation.objects.count()] == counts  # fmt: skip
    assert counts[0] == 4
    assert len({c.kind for c in Community.objects.all()}) == 4
    assert Membership.objects.filter(status="active").count() >= 300
    assert Membership.objects.filter(status="pending").count() >= 6
    for community in Community.objects.all():
        assert Membership.objects.get(community=community, user__email="manager@kindred.test").is_manager
        assert Membership.objects.get(community=community, user__email="volunteer@kindred.test").role == "host"
    assert "Charity Runners" in out.getvalue()


def test_the_demo_community_pages_render(client):
    demo_people()
    demo.seed(io.StringIO())
    client.force_login(User.objects.get(email="manager@kindred.test"))

    for community in Community.objects.all():
        assert client.get(community.get_absolute_url()).status_code == 200
        assert client.get(f"/c/{community.slug}/manage/requests/").status_code == 200
