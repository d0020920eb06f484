"""The dashboard's figures against hand-computed expectations (tests/communities/dashboard_support.py)."""

from datetime import date
from decimal import Decimal

from communities.insights.selectors import dashboard_build, period_for
from tests.communities.dashboard_support import MSK, NOW, frozen, world  # noqa: F401


def build(data, key="month", community=True, **dates):
    scope = data.community if community else None
    return dashboard_build(community=scope, period=period_for(key=key, zone=MSK, now=NOW, **dates), now=NOW)


def cards(dashboard):
    return {card.key: card for card in dashboard.cards}


def test_this_month_is_compared_with_the_same_days_of_last_month():
    period = period_for(key="month", zone=MSK, now=NOW)
    assert (period.start, period.end) == (date(2026, 3, 1), date(2026, 3, 18))
    assert (period.prev_start, period.prev_end) == (date(2026, 2, 1), date(2026, 2, 18))
    assert period.bucket == "day"
    assert len(period.buckets()) == 18


def test_each_calendar_period_and_its_previous_one():
    expected = {
        "week": (date(2026, 3, 16), date(2026, 3, 9), date(2026, 3, 11)),
        "quarter": (date(2026, 1, 1), date(2025, 10, 1), date(2025, 12, 16)),
        "year": (date(2026, 1, 1), date(2025, 1, 1), date(2025, 3, 18)),
    }
    for key, (start, prev_start, prev_end) in expected.items():
        period = period_for(key=key, zone=MSK, now=NOW)
        assert (period.start, period.end, period.prev_start, period.prev_end) == (
            start,
            date(2026, 3, 18),
            prev_start,
            prev_end,
        ), key
    assert period_for(key="quarter", zone=MSK, now=NOW).bucket == "week"
    assert period_for(key="year", zone=MSK, now=NOW).bucket == "week"


def test_the_last_day_of_a_long_month_is_compared_with_the_whole_shorter_month():
    period = period_for(key="month", zone=MSK, now=NOW.replace(day=31))
    assert (period.prev_start, period.prev_end) == (date(2026, 2, 1), date(2026, 2, 28))


def test_custom_dates_are_compared_with_as_many_days_right_before():
    period = period_for(key="custom", zone=MSK, now=NOW, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10))
    assert (period.prev_start, period.prev_end) == (date(2026, 2, 19), date(2026, 2, 28))


def test_an_unknown_or_incomplete_period_is_this_month():
    assert period_for(key="decade", zone=MSK, now=NOW).key == "month"
    assert period_for(key="custom", zone=MSK, now=NOW, date_from=date(2026, 3, 1)).key == "month"


def test_member_cards_this_month(world):  # noqa: F811
    c = cards(build(world))
    assert (c["members"].value, c["members"].previous, c["members"].change) == (6, 3, 100)
    assert (c["new"].value, c["new"].previous, c["new"].change) == (3, 2, 50)
    assert c["new"].note == "this week: 1 · this month: 3"
    assert (c["active"].value, c["active"].previous, c["active"].change) == (2, 1, 100)
    assert (c["lapsed"].value, c["lapsed"].change) == (1, None)
    assert c["queue"].value == 2


def test_the_members_trend_climbs_to_the_current_count(world):  # noqa: F811
    c = cards(build(world))
    assert len(c["members"].trend) == 18
    assert c["members"].trend[0] == 3
    assert c["members"].trend[1] == 4
    assert c["members"].trend[-1] == 6
    assert sum(c["new"].trend) == 3


def test_money_cards_this_month(world):  # noqa: F811
    dashboard = build(world)
    c = cards(dashboard)
    assert dashboard.currency == "RUB"
    assert (c["raised"].value, c["raised"].previous, c["raised"].change) == (Decimal("2050"), Decimal("200"), 925)
    assert (c["donations"].value, c["donations"].previous, c["donations"].change) == (4, 1, 300)
    assert dashboard.other_currencies == {"EUR": Decimal("50")}
    assert sum(c["raised"].trend) == Decimal("2050")


def test_attendance_card_this_month(world):  # noqa: F811
    c = cards(build(world))
    assert (c["attendance"].value, c["attendance"].previous, c["attendance"].change) == (80, 50, 60)
    assert c["attendance"].note == "4 of 5 came · events: 1"


def test_this_week_compares_with_the_same_days_of_last_week(world):  # noqa: F811
    c = cards(build(world, "week"))
    assert (c["new"].value, c["new"].previous) == (1, 1)  # vera on 17 March; boris on 10 March
    assert (c["raised"].value, c["raised"].previous) == (Decimal("0"), Decimal("250"))
    assert c["raised"].change == -100


def test_funnel_and_engagement_tables(world):  # noqa: F811
    tables = build(world).tables
    assert [row[1] for row in tables["funnel"].rows] == [3, 2, 1]
    levels = {str(row[0]): row[1] for row in tables["engagement"].rows}
    assert levels == {"core": 2, "contributor": 1, "participant": 1, "observer": 2}


def test_growth_and_money_tables_per_day(world):  # noqa: F811
    tables = build(world).tables
    growth = {row[0]: row[1:] for row in tables["growth"].rows}
    assert growth[date(2026, 3, 2)] == [1, 4]
    assert growth[date(2026, 3, 18)] == [0, 6]
    money = {row[0]: row[1] for row in tables["money"].rows}
    assert money[date(2026, 3, 5)] == Decimal("1000")
    assert money[date(2026, 3, 8)] == Decimal("300")
    assert money[date(2026, 3, 7)] == 0


def test_money_by_campaign_fundraiser_and_team(world):  # noqa: F811
    tables = build(world).tables
    assert [(r[0], r[1], r[3]) for r in tables["campaigns"].rows] == [
        ("Wheelchairs", Decimal("1800"), 3),
        ("Summer camp", Decimal("250"), 1),
        ("Wheelchairs", Decimal("50"), 1),  # the euro gift, in its own currency
    ]
    fundraisers = tables["fundraisers"].rows
    assert [(r[0], r[1], r[3], r[5], str(r[6])) for r in fundraisers] == [
        ("Anna runs", Decimal("1000"), 1, "Anna", "observer"),
        ("Boris swims", Decimal("250"), 1, "Boris", "participant"),
    ]
    assert fundraisers[0][4] == date(2026, 3, 5)  # the last donation
    assert [(r[0], r[1]) for r in tables["teams"].rows] == [("Runners", Decimal("1000"))]


def test_upcoming_and_past_events(world):  # noqa: F811
    tables = build(world).tables
    assert [(r[0], r[2], r[3], r[4]) for r in tables["upcoming"].rows] == [("Spring fair", 3, 10, 1)]
    assert [(r[0], r[2], r[3], r[4]) for r in tables["attendance"].rows] == [("Park run", 5, 4, 80)]


def test_recent_activity_is_newest_first_and_stays_in_the_community(world):  # noqa: F811
    rows = build(world).tables["activity"].rows
    assert [(r[1], r[2]) for r in rows] == [
        ("Boris", "attended an event"),
        ("Boris", "joined"),
        ("Anna", "registered for an event"),
        ("Dina", "note"),
        ("Gleb", "donated"),
    ]


def test_the_organisation_counts_every_community(world):  # noqa: F811
    dashboard = build(world, community=False)
    c = cards(dashboard)
    assert c["members"].value == 7  # six here and the other community's manager
    assert c["raised"].value == Decimal("12049")  # 2050 here and 9999 elsewhere
    assert c["active"].value == 2  # anna (in both communities) and boris
    assert len(dashboard.tables["activity"].rows) == 6


def test_the_api_figures_are_plain_json(world):  # noqa: F811
    data = build(world).as_dict()
    raised = next(card for card in data["cards"] if card["key"] == "raised")
    assert raised == {
        "key": "raised",
        "label": "Money raised",
        "value": "2050.00",
        "previous": "200.00",
        "change_percent": 925,
        "kind": "money",
        "currency": "RUB",
        "trend": raised["trend"],
    }
    assert data["period"]["start"] == "2026-03-01"
    assert data["other_currencies"] == {"EUR": "50.00"}


def test_the_organisation_shows_its_communities_side_by_side(world):  # noqa: F811
    rows = build(world, community=False).tables["communities"].rows
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("Running for Hope", 6, 3, Decimal("2050")),
        ("Donor club", 1, 0, Decimal("9999")),
    ]
    assert "communities" not in build(world).tables


def test_a_quarter_is_drawn_week_by_week(world):  # noqa: F811
    tables = build(world, "quarter").tables
    money = tables["money"].rows
    assert money[0][0] == date(2025, 12, 29)  # the Monday of the week of 1 January
    assert all(row[0].weekday() == 0 for row in money)
    assert sum(row[1] for row in money) == Decimal("2250")  # February's 200 and March's 2050
    week_of_march_2 = {row[0]: row[1] for row in money}[date(2026, 3, 2)]
    assert week_of_march_2 == Decimal("1800")  # 5-8 March: 1000 + 500 + 300
    growth = {row[0]: row[1] for row in tables["growth"].rows}
    assert (growth[date(2026, 2, 2)], growth[date(2026, 2, 9)]) == (1, 1)  # gleb on 5 February, egor on the 10th
