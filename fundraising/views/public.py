"""Donor-facing pages: campaign, fundraiser and team. The body is cached for anonymous visitors.

The cached part holds nothing personal: no CSRF token and no CSP nonce (base.html adds those around
it for each request), and the give form lives on its own page.
"""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from fundraising import selectors

BODY_SECONDS = 30


def campaign_detail(request, slug):
    campaign = selectors.campaign_for_viewer(request.user, slug)

    def context():
        return {
            "campaign": campaign,
            "fundraisers": selectors.leaderboard_fundraisers(campaign),
            "teams": selectors.leaderboard_teams(campaign),
            "donations": selectors.donations_recent_public(campaign=campaign),
            "updates": campaign.updates.all()[:5],
            "share_url": settings.SITE_URL + campaign.get_absolute_url(),
        }

    body = _lazy_body(request, ("campaign", campaign.pk), "fundraising/_campaign_body.html", context)
    return render(
        request,
        "fundraising/campaign_detail.html",
        {
            "campaign": campaign,
            "body": body,
            "object": campaign,
            "is_manager": selectors.can_see_private(request.user, campaign=campaign),
        },
    )


def _lazy_body(request, key, template, make_context):
    """The page body, from the cache for anonymous visitors; queries run only on a miss."""
    if request.user.is_authenticated:
        return render_to_string(template, make_context())
    key = selectors.public_body_key(*key, translation.get_language())
    body = cache.get(key)
    if body is None:
        body = render_to_string(template, make_context())
        cache.set(key, body, BODY_SECONDS)
    return body


def fundraiser_detail(request, slug):
    fundraiser = selectors.fundraiser_for_viewer(request.user, slug)
    campaign = fundraiser.campaign

    def context():
        return {
            "campaign": campaign,
            "fundraiser": fundraiser,
            "donations": selectors.donations_recent_public(fundraiser=fundraiser),
            "updates": fundraiser.updates.all()[:5],
            "share_url": settings.SITE_URL + fundraiser.get_absolute_url(),
        }

    body = _lazy_body(request, ("fundraiser", fundraiser.pk), "fundraising/_fundraiser_body.html", context)
    return render(
        request,
        "fundraising/fundraiser_detail.html",
        {
            "campaign": campaign,
            "fundraiser": fundraiser,
            "body": body,
            "object": fundraiser,
            "is_owner": request.user.is_authenticated and fundraiser.owner_id == request.user.pk,
            "is_manager": selectors.can_see_private(request.user, campaign=campaign),
        },
    )


def team_detail(request, slug, team):
    team = selectors.team_for_viewer(request.user, slug, team)
    campaign = team.campaign

    def context():
        return {
            "campaign": campaign,
            "team": team,
            "fundraisers": team.fundraisers.filter(status="active").select_related("owner").order_by("-raised_amount"),
            "donations": selectors.donations_recent_public(team=team),
            "share_url": settings.SITE_URL + team.get_absolute_url(),
        }

    body = _lazy_body(request, ("team", team.pk), "fundraising/_team_body.html", context)
    return render(
        request, "fundraising/team_detail.html", {"campaign": campaign, "team": team, "body": body, "object": team}
    )


def campaign_list(request):
    campaigns = selectors.campaigns_visible_to(request.user).filter(status="active").order_by("-created_at")[:50]
    return render(request, "fundraising/campaign_list.html", {"campaigns": campaigns})
