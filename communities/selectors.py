"""Reads scoped by who is asking. Views and API views get objects through these, never directly."""

from django.db.models import Q
from django.http import Http404

from communities.models import Community, Membership


def membership_of(user, community):
    """The person's membership in the community, or None (also for anonymous visitors)."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(community=community, user=user).first()


def communities_visible_to(user):
    """Public communities, plus private ones the person is an active member of; staff see all."""
    if user.is_authenticated and user.is_staff:
        return Community.objects.all()
    visible = Q(visibility=Community.Visibility.PUBLIC)
    if user.is_authenticated:
        visible |= Q(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
    return Community.objects.filter(visible).distinct()


def communities_managed_by(user):
    if not user.is_authenticated:
        return Community.objects.none()
    return Community.objects.filter(
        memberships__user=user,
        memberships__role=Membership.Role.MANAGER,
        memberships__status=Membership.Status.ACTIVE,
    )


def community_for_manager(user, slug):
    """The community with this slug if the person manages it (staff too); 404 otherwise.

    A 404 rather than a 403, so outsiders cannot probe which private communities exist.
    """
    queryset = Community.objects.all() if user.is_authenticated and user.is_staff else communities_managed_by(user)
    community = queryset.filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community


def community_for_viewer(user, slug):
    """The community with this slug if the person may see it, with their membership (or None)."""
    community = communities_visible_to(user).filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community, membership_of(user, community)


def is_manager(user, community):
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(
        community=community, user=user, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).exists()
