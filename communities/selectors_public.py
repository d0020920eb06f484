"""Reads for the public side and the manager pages of communities (selectors.py holds the shared scoping)."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from communities.models import Announcement, Community, Invitation, InviteLink, Membership
from communities.selectors import communities_visible_to

Status, Role = Membership.Status, Membership.Role


def _active_count():
    counts = (
        Membership.objects.filter(community=OuterRef("pk"), status=Status.ACTIVE)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _viewer_field(user, field):
    if not user.is_authenticated:
        return Value("")
    mine = Membership.objects.filter(community=OuterRef("pk"), user=user).values(field)[:1]
    return Coalesce(Subquery(mine), Value(""))


def with_counts(queryset, user):
    """Communities with `member_count` and the viewer's `viewer_status` and `viewer_role` ("" if none)."""
    return queryset.annotate(
        member_count=_active_count(),
        viewer_status=_viewer_field(user, "status"),
        viewer_role=_viewer_field(user, "role"),
    )


def community_list_for(user):
    """The community list: everything the person may see, theirs first, then by name."""
    visible = Community.objects.filter(pk__in=communities_visible_to(user).values("pk"))
    return with_counts(visible, user).order_by("name")


def communities_of(user):
    """The person's own communities (active memberships), for the home page."""
    if not user.is_authenticated:
        return Community.objects.none()
    mine = Community.objects.filter(memberships__user=user, memberships__status=Status.ACTIVE)
    return with_counts(mine, user).order_by("name")


def latest_announcements(community, limit=5):
    return list(Announcement.objects.filter(community=community).select_related("author")[:limit])


def pending_requests(community):
    return (
        Membership.objects.filter(community=community, status=Status.PENDING)
        .select_related("user")
        .order_by("requested_at")
    )


def host_requests(community):
    """Active members who asked to become hosts, oldest request first."""
    return (
        Membership.objects.filter(community=community, status=Status.ACTIVE, host_requested_at__isnull=False)
        .select_related("user")
        .order_by("host_requested_at")
    )


def pending_count(community):
    return Membership.objects.filter(community=community, status=Status.PENDING).count()


def people_with_roles(community):
    """Active managers and hosts, managers first."""
    return (
        Membership.objects.filter(community=community, status=Status.ACTIVE, role__in=[Role.MANAGER, Role.HOST])
        .select_related("user")
        .order_by("-role", "user__name")
    )


def membership_in(community, pk):
    """A membership of this community by id; 404 for another community's."""
    return get_object_or_404(Membership.objects.select_related("user", "community"), pk=pk, community=community)


def invitations_of(community):
    return Invitation.objects.filter(community=community).select_related("invited_by", "accepted_by")


def invitation_in(community, pk):
    return get_object_or_404(Invitation, pk=pk, community=community)


def invite_links_of(community):
    return InviteLink.objects.filter(community=community).select_related("created_by")


def invite_link_in(community, pk):
    return get_object_or_404(InviteLink, pk=pk, community=community)


def announcements_of(community):
    return Announcement.objects.filter(community=community).select_related("author")


def active_member_by_email(community, email):
    return (
        Membership.objects.filter(community=community, status=Status.ACTIVE, user__email__iexact=email.strip())
        .select_related("user")
        .first()
    )


def open_invitation_count(community, now):
    return Invitation.objects.filter(
        Q(community=community, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    ).count()


def user_exists(email):
    from members.models import User

    return User.objects.filter(email__iexact=email).exists()
