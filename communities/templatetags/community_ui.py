"""Presentation helpers for community pages: cover placeholders and the home page's lists."""

from django import template

from communities import selectors_public
from communities.models import Community

register = template.Library()

COVER_VARIANTS = 6


@register.filter
def initials(name):
    """Up to two initials of a name, for the gradient placeholder of a community without a cover."""
    words = [w for w in str(name).replace("«", " ").replace("»", " ").replace('"', " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "•"


@register.filter
def cover_variant(community):
    """A stable gradient (kd-cc-0 ... kd-cc-5) per community, so placeholders differ."""
    return f"kd-cc-{(community.pk or 0) % COVER_VARIANTS}"


@register.simple_tag(takes_context=True)
def home_communities(context, limit=6):
    """For the home page: the person's own communities, or (for visitors and people in none yet)
    the newest public ones. Returns (mine, communities)."""
    user = context["request"].user
    mine = list(selectors_public.communities_of(user)[:limit])
    if mine:
        return True, mine
    public = Community.objects.filter(visibility=Community.Visibility.PUBLIC)
    return False, list(selectors_public.with_counts(public, user).order_by("-created_at")[:limit])
