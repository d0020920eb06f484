"""The dashboard pages, CSV exports and API: who may see them, what they show, how many queries."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from communities.insights.selectors import dashboard_build, period_for
from communities.models import Membership
from fundraising.models import Donation
from fundraising.services.rollups import donation_days_rebuild
from members.models import Activity
from tests.communities.dashboard_support import MSK, NOW, at, frozen, world  # noqa: F401
from tests.factories import MembershipFactory, UserFactory

PAGE = "/c/running/manage/dashboard/"
ORGANISATION = "/staff/dashboard/"


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_manager_sees_the_community_and_the_money_at_a_glance(world):  # noqa: F811
    response = client_for(world.manager).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="card-members"' in page
    assert "+100%" in page
    assert "2,050" in page
    assert "RUB" in page
    assert "Show as table" in page
    assert 'id="dashboard-charts"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "<script>" not in page
    assert "Anna runs" in page
    assert "Spring fair" in page
    assert "3 of 10 places taken" in page
    assert 'href="/c/running/manage/dashboard/export/growth.csv"' in page


def test_the_period_filter_changes_every_figure(world):  # noqa: F811
    response = client_for(world.manager).get(PAGE, {"period": "week"})
    dashboard = response.context["dashboard"]
    assert dashboard.period.key == "week"
    assert {c.key: c.value for c in dashboard.cards}["new"] == 1
    assert 'href="/c/running/manage/dashboard/export/growth.csv?period=week"' in response.content.decode()


def test_bad_custom_dates_show_errors_and_this_month(world):  # noqa: F811
    response = client_for(world.manager).get(PAGE, {"period": "custom", "date_from": "2026-03-10", "date_to": "x"})
    assert response.status_code == 200
    assert response.context["dashboard"].period.key == "month"
    assert "These dates could not be used" in response.content.decode()
    response = client_for(world.manager).get(
        PAGE, {"period": "custom", "date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert "The last day must not be before the first." in response.content.decode()


def test_custom_dates_are_used(world):  # noqa: F811
    query = {"period": "custom", "date_from": "2026-02-01", "date_to": "2026-03-18"}
    dashboard = client_for(world.manager).get(PAGE, query).context["dashboard"]
    assert {c.key: c.value for c in dashboard.cards}["new"] == 5  # gleb, egor, anna, boris, vera
    assert dashboard.period.bucket == "week"


@pytest.mark.parametrize("who", ["anonymous", "member", "host", "other_manager", "outsider"])
def test_only_the_communitys_managers_and_staff_see_its_dashboard(world, who):  # noqa: F811
    host = MembershipFactory(community=world.community, role="host").user
    outsider = MembershipFactory(community=world.other).user
    user = {"anonymous": None, "member": world.member, "host": host, "other_manager": world.other_manager}.get(
        who, outsider
    )
    client = client_for(user)
    for url in (PAGE, PAGE + "export/growth.csv"):
        response = client.get(url)
        assert response.status_code == (302 if user is None else 404), url


def test_staff_see_every_communitys_dashboard(world):  # noqa: F811
    assert client_for(world.staff).get(PAGE).status_code == 200


def test_only_staff_see_the_organisation_dashboard(world):  # noqa: F811
    assert client_for(None).get(ORGANISATION).status_code == 302
    assert client_for(world.manager).get(ORGANISATION).status_code == 404
    assert client_for(world.manager).get(ORGANISATION + "export/growth.csv").status_code == 404
    response = client_for(world.staff).get(ORGANISATION)
    assert response.status_code == 200
    assert "Organisation dashboard" in response.content.decode()
    assert "Donor club" in response.content.decode()  # the feed says where things happened


def test_the_managers_landing_link_and_tab_lead_to_the_dashboard(world):  # noqa: F811
    client = client_for(world.manager)
    assert PAGE in client.get("/c/running/").content.decode()
    assert f'href="{PAGE}">Dashboard' in client.get("/c/running/manage/").content.decode()


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "key",
    [
        "growth",
        "funnel",
        "engagement",
        "money",
        "campaigns",
        "fundraisers",
        "teams",
        "upcoming",
        "attendance",
        "activity",
    ],
)
def test_every_csv_matches_its_table(world, key):  # noqa: F811
    response = client_for(world.manager).get(PAGE + f"export/{key}.csv", {"period": "month"})
    table = (
        response.wsgi_request
        and dashboard_build(community=world.community, period=period_for(key="month", zone=MSK, now=NOW), now=NOW)
        .tables[key]
        .as_dict()
    )
    rows = read_csv(response)
    assert rows[0] == table["columns"]
    assert rows[1:] == [[str(v) for v in row] for row in table["rows"]]
    assert "running-" + key in response["Content-Disposition"]


def test_csv_figures_read_as_on_the_page(world):  # noqa: F811
    rows = read_csv(client_for(world.manager).get(PAGE + "export/fundraisers.csv"))
    assert rows[0][:4] == ["Fundraiser", "Raised", "Currency", "Donations"]
    assert rows[1][:4] == ["Anna runs", "1000.00", "RUB", "1"]
    assert read_csv(client_for(world.manager).get(PAGE + "export/funnel.csv"))[1:] == [
        ["Newcomers", "3"],
        ["Contacted", "2"],
        ["Active now", "1"],
    ]


def test_an_unknown_table_is_not_found(world):  # noqa: F811
    assert client_for(world.manager).get(PAGE + "export/passwords.csv").status_code == 404


def add_more_data(data, n):
    """More of everything: members, activity, donations in the period; the query count must not move."""
    community = data.community
    campaign = community.campaigns.first()
    for i in range(n):
        membership = MembershipFactory(community=community, joined_at=at(3, 1 + i % 17))
        Activity.objects.create(
            user=membership.user, community=community, kind=Activity.Kind.ATTENDED, occurred_at=at(3, 2)
        )
        Donation.objects.create(
            campaign=campaign,
            amount=Decimal(10 + i),
            currency="RUB",
            status=Donation.Status.SUCCEEDED,
            provider="sandbox",
            created_at=at(3, 1 + i % 17),
            donor_key=f"more-{i}",
        )
    donation_days_rebuild(now=NOW)


# Queries of dashboard_build: members, growth, active people, check-in queue, upcoming events,
# attendance, past events, money totals, money over time, by campaign, by fundraiser and by team (the
# top, then their names), feed, the money not yet confirmed (gifts, refunds), and monthly giving
# (recurring revenue, donors and churn, failed charges).
QUERIES = 20


def test_the_number_of_queries_does_not_grow_with_the_data(world, django_assert_num_queries):  # noqa: F811
    period = period_for(key="month", zone=MSK, now=NOW)
    # The organisation's has two more: its communities side by side, and their money.
    for scope, count in ((world.community, QUERIES), (None, QUERIES + 2)):
        with django_assert_num_queries(count):
            dashboard_build(community=scope, period=period, now=NOW)
    add_more_data(world, 40)
    for scope, count in ((world.community, QUERIES), (None, QUERIES + 2)):
        with django_assert_num_queries(count):
            dashboard = dashboard_build(community=scope, period=period, now=NOW)
    assert {c.key: c.value for c in dashboard.cards}["new"] == 43


def test_the_page_queries_are_bounded_too(world, django_assert_num_queries):  # noqa: F811
    client = client_for(world.manager)
    client.get(PAGE)  # warm: the session and language are loaded the same way each time
    # session, user, community (as its manager), join requests badge, the dashboard's queries
    with django_assert_num_queries(4 + QUERIES):
        client.get(PAGE)
    add_more_data(world, 30)
    with django_assert_num_queries(4 + QUERIES):
        client.get(PAGE)


# The API ------------------------------------------------------------------------------------------


def api(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_api_gives_the_same_figures_as_the_page(world):  # noqa: F811
    url = reverse("api:community_dashboard", kwargs={"community_pk": world.community.pk})
    data = api(world.manager).get(url, {"period": "month"}).json()
    cards = {card["key"]: card for card in data["cards"]}
    assert cards["members"]["value"] == 6
    assert cards["members"]["change_percent"] == 100
    assert cards["raised"]["value"] == "2050.00"
    assert data["currency"] == "RUB"
    assert data["tables"]["funnel"]["rows"] == [["Newcomers", 3], ["Contacted", 2], ["Active now", 1]]
    assert data["period"]["previous_start"] == "2026-02-01"


def test_the_api_refuses_bad_periods_with_field_messages(world):  # noqa: F811
    url = reverse("api:community_dashboard", kwargs={"community_pk": world.community.pk})
    response = api(world.manager).get(url, {"period": "decade"})
    assert response.status_code == 400
    assert "period" in response.json()
    response = api(world.manager).get(url, {"period": "custom", "date_from": "2026-03-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()


def test_the_api_scope_is_the_pages_scope(world):  # noqa: F811
    url = reverse("api:community_dashboard", kwargs={"community_pk": world.community.pk})
    assert api(None).get(url).status_code in (401, 403)
    assert api(world.member).get(url).status_code == 404
    assert api(world.other_manager).get(url).status_code == 404
    assert api(world.staff).get(url).status_code == 200
    organisation = reverse("api:dashboard")
    assert api(world.manager).get(organisation).status_code == 404
    data = api(world.staff).get(organisation, {"period": "week"}).json()
    assert data["community"] is None
    assert data["period"]["key"] == "week"


def test_a_left_manager_no_longer_sees_the_dashboard(world):  # noqa: F811
    Membership.objects.filter(user=world.manager).update(status=Membership.Status.LEFT)
    assert client_for(world.manager).get(PAGE).status_code == 404


def test_an_event_in_another_time_zone_day_counts_on_the_communitys_day(world):  # noqa: F811
    # 23:30 in Moscow on 18 March is 20:30 UTC: still the 18th for the community.
    MembershipFactory(community=world.community, joined_at=at(3, 18, hour=0) + timedelta(hours=23, minutes=30))
    rows = client_for(world.manager).get(PAGE).context["dashboard"].tables["growth"].rows
    assert rows[-1][1] == 1


def test_people_with_a_user_who_joined_later_are_not_in_the_previous_count(world):  # noqa: F811
    UserFactory()  # a person without a membership counts nowhere
    cards = {c.key: c for c in client_for(world.manager).get(PAGE).context["dashboard"].cards}
    assert cards["members"].previous == 3


def test_staff_download_the_communities_side_by_side(world):  # noqa: F811
    rows = read_csv(client_for(world.staff).get(ORGANISATION + "export/communities.csv"))
    assert rows == [
        ["Community", "Members", "New members", "Raised", "Currency"],
        ["Running for Hope", "6", "3", "2050.00", "RUB"],
        ["Donor club", "1", "0", "9999.00", "RUB"],
    ]
    assert client_for(world.manager).get(PAGE + "export/communities.csv").status_code == 404


def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_500(world):  # noqa: F811
    query = {"period": "custom", "date_from": "9999-12-31", "date_to": "9999-12-31"}
    response = client_for(world.manager).get(PAGE, query)
    assert response.status_code == 200
    assert "Choose a day between 2000 and 2100." in response.content.decode()
    url = reverse("api:community_dashboard", kwargs={"community_pk": world.community.pk})
    assert api(world.manager).get(url, query).status_code == 400


# Monthly giving -----------------------------------------------------------------------------------


def _monthly(campaign, email, amount, status, **kwargs):
    from fundraising.models import Subscription

    return Subscription.objects.create(
        campaign=campaign,
        amount=Decimal(amount),
        currency="RUB",
        day=5,
        donor_email=email,
        donor_key=email,
        provider="sandbox",
        payment_method_id="sbxcard_x",
        status=status,
        **kwargs,
    )


def test_the_dashboard_shows_monthly_giving_at_a_glance(world):  # noqa: F811
    from fundraising.models import Campaign, Subscription

    S = Subscription.Status
    campaign = Campaign.objects.get(slug="wheelchairs")
    elsewhere = Campaign.objects.get(slug="elsewhere")
    _monthly(campaign, "old@example.org", "500", S.ACTIVE, started_at=NOW - timedelta(days=60))
    _monthly(campaign, "new@example.org", "1000", S.ACTIVE, started_at=NOW - timedelta(days=3))
    _monthly(
        campaign,
        "back@example.org",
        "300",
        S.ACTIVE,
        started_at=NOW - timedelta(days=90),
        recovered_at=NOW - timedelta(days=2),
    )
    _monthly(
        campaign,
        "gone@example.org",
        "700",
        S.CANCELLED,
        started_at=NOW - timedelta(days=60),
        cancelled_at=NOW - timedelta(days=1),
    )
    _monthly(elsewhere, "other@example.org", "9999", S.ACTIVE, started_at=NOW - timedelta(days=3))

    page = client_for(world.manager).get(PAGE).content.decode()

    assert 'id="dashboard-recurring"' in page
    assert "Monthly recurring revenue" in page
    assert "RUB\xa01,800" in page  # 500 + 1 000 + 300: active gifts of this community only
    figures = dashboard_build(community=world.community, period=period_for(key="month", zone=MSK, now=NOW)).recurring
    assert (figures.active_donors, figures.new_donors, figures.churned, figures.recovered) == (3, 1, 1, 1)
    assert str(figures.churn_percent) == "33.3"  # 1 of the 3 gifts live on the 1st
    data = (
        api(world.manager).get(reverse("api:community_dashboard", kwargs={"community_pk": world.community.pk})).json()
    )
    assert data["recurring"]["mrr"] == {"RUB": "1800.00"}
    assert data["recurring"]["active_donors"] == 3
    world.manager.language = "ru"
    world.manager.save(update_fields=["language"])
    russian = client_for(world.manager).get(PAGE).content.decode()
    assert "Регулярный доход в месяц" in russian
    organisation = client_for(world.staff).get(ORGANISATION).content.decode()
    assert "RUB\xa011,799" in organisation or "11\xa0799" in organisation
