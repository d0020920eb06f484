"""Presentation helpers for community pages: cover placeholders and the home page's lists."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


HOME_GROUPS = [
    (Community.JoinPolicy.OPEN, _("Open: join in one click")),
    (Community.JoinPolicy.APPROVAL, _("Join on request: a manager approves")),
    (Community.JoinPolicy.INVITATION, _("By invitation only")),
]


@register.simple_tag(takes_context=True)
def home_communities(context, limit=6):
    """For the home page: the person's own communities, then the public ones they are not in, grouped
    by what they can do (join, ask, wait for an invitation). Returns (mine, [(heading, communities)]).
    Two queries."""
    user = context["request"].user
    mine = list(selectors_public.communities_of(user)[:limit])
    public = Community.objects.filter(visibility=Community.Visibility.PUBLIC).exclude(pk__in=[c.pk for c in mine])
    others = list(selectors_public.with_counts(public, user).order_by("-created_at")[:30])
    groups = [(title, [c for c in others if c.join_policy == policy][:limit]) for policy, title in HOME_GROUPS]
    return mine, [(title, communities) for title, communities in groups if communities]


# (key, label, url name) of the manager's sections of a community, in the order of the tab bar.
MANAGE_TABS = [
    ("dashboard", _("Dashboard"), "communities:dashboard"),
    ("checkins", _("Check-ins"), "communities:checkin_queue"),
    ("members", _("Members"), "communities:directory_list"),
    ("donors", _("Donors"), "fundraising:donors"),
    ("requests", _("Join requests"), "communities:manage_requests"),
    ("announcements", _("Announcements"), "communities:manage_announcements"),
    ("messages", _("Messages"), "communities:message_centre"),
    ("invitations", _("Invitations"), "communities:manage_invitations"),
    ("links", _("Invite links"), "communities:manage_links"),
    ("import", _("Import"), "member_import:start"),
    ("roles", _("Roles"), "communities:manage_roles"),
    ("settings", _("Settings"), "communities:manage"),
]


@register.simple_tag
def manage_tabs(community, current):
    """The manager's sections as dicts (key, label, url, active), for the tab bar and its phone menu."""
    return [
        {"key": key, "label": label, "url": reverse(name, args=[community.slug]), "active": key == current}
        for key, label, name in MANAGE_TABS
    ]
