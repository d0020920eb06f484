from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from communities import navigation
from communities.models import Community
from communities.selectors import communities_managed_by
from config import health
from events import selectors as event_selectors
from events.models import Event
from fundraising import selectors as fundraising_selectors
from fundraising.models import Campaign


def home(request):
    """What a visitor can do today first: running campaigns and upcoming events, then communities."""
    campaigns = (
        fundraising_selectors.campaigns_visible_to(request.user)
        .filter(status=Campaign.Status.ACTIVE)
        .order_by(F("ends_on").asc(nulls_last=True), "-created_at")[:3]
    )
    events = event_selectors.with_counts(
        event_selectors.events_visible_to(request.user)
        .filter(status=Event.Status.PUBLISHED, ends_at__gte=timezone.now())
        .select_related("community")
    ).order_by("starts_at")[:3]
    return render(
        request,
        "home.html",
        {
            "campaigns": campaigns,
            "events": events,
            "viewer_zone": timezone.get_current_timezone(),
        },
    )


@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok(), "cache": health.cache_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def after_sign_in(request):
    """Where signing in leads: managers to their dashboard, everyone else to their account."""
    if navigation.manages_remember(request, request.user):
        return redirect("manage_home")
    return redirect("members:account")


@login_required
def manage_home(request):
    """The navigation's "Manage": one community's dashboard straight away, or a choice of several."""
    navigation.manages_remember(request, request.user)
    communities = Community.objects.all() if request.user.is_staff else communities_managed_by(request.user)
    communities = list(communities.order_by("name")[:200])
    if len(communities) == 1 and not request.user.is_staff:
        return redirect("communities:dashboard", slug=communities[0].slug)
    return render(request, "manage_home.html", {"communities": communities})


def page_not_found(request, exception):
    """The 404 answer: the API's JSON error format under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
