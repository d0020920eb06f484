"""The home page a visitor meets: what they can give to or come to first, then communities by what they can do."""

from datetime import date

import pytest

from tests.events.factories import EventFactory
from tests.factories import CommunityFactory
from tests.fundraising.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    open_one = CommunityFactory(name="Open hearts", join_policy="open")
    CommunityFactory(name="Donor club", join_policy="approval")
    CommunityFactory(name="Runners by invitation", join_policy="invitation")
    CommunityFactory(name="Families", visibility="private")
    make_campaign(open_one, title="Warm winter", ends_on=date(2030, 1, 18))
    make_campaign(open_one, title="Old draft", status="draft")
    EventFactory(community=open_one, title="Saturday clean-up")
    EventFactory(community=open_one, title="Secret meeting", visibility="members")
    return open_one


def test_visitors_see_running_campaigns_and_upcoming_events_before_communities(client, organisation):
    page = client.get("/").content.decode()

    assert page.index("Warm winter") < page.index("Saturday clean-up") < page.index('id="home-communities"')
    assert "Until 18 January 2030" in page
    assert "Old draft" not in page
    assert "Secret meeting" not in page
    assert "Families" not in page


def test_communities_are_listed_by_what_a_visitor_can_do(client, organisation):
    page = client.get("/").content.decode()
    page = page[page.index('id="home-communities"') :]

    assert page.index("Open: join in one click") < page.index("Open hearts")
    assert page.index("Join on request") < page.index("Donor club")
    assert page.index("By invitation only") < page.index("Runners by invitation")
    assert page.index("Open hearts") < page.index("Join on request") < page.index("By invitation only")


def test_the_home_page_costs_the_same_queries_however_much_there_is(client, organisation, django_assert_num_queries):
    client.get("/")  # warm caches (sessions, translations)
    # campaigns, events, the public communities (a visitor has no communities of their own to read)
    with django_assert_num_queries(3):
        client.get("/")
    for n in range(5):
        make_campaign(organisation, title=f"More {n}")
        EventFactory(community=organisation)
        CommunityFactory()
    with django_assert_num_queries(3):
        client.get("/")
