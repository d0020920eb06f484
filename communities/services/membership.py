"""Joining and leaving, join requests, roles and removal.

Every change that could take away a community's last manager first locks the community's row and
then its active manager rows (select_for_update), so two managers stepping down at the same moment
cannot both succeed.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from communities.services import CommunityError
from members.models import Activity, AuditEntry, User
from members.services import (
    activity_record,
    audit_record,
    community_preference_set,
    message_send,
    user_mfa_require,
)

Role, Status = Membership.Role, Membership.Status


def require_manager(*, actor, community):
    """Refuse unless `actor` is an active manager of the community or staff."""
    if actor is not None and actor.is_authenticated and actor.is_staff:
        return
    allowed = Membership.objects.filter(community=community, user=actor, role=Role.MANAGER, status=Status.ACTIVE)
    if actor is None or not actor.is_authenticated or not allowed.exists():
        raise CommunityError(_("Only the community's managers can do this."))


def _locked(membership):
    """The membership row, locked and re-read: decisions are made on its current state.

    The community's row is locked first, so changes to one community's people queue one after
    the other and no two transactions take the same locks in a different order (a deadlock).
    """
    list(Community.objects.select_for_update().filter(pk=membership.community_id).values_list("pk", flat=True))
    return Membership.objects.select_for_update().select_related("community", "user").get(pk=membership.pk)


def _keep_a_manager(membership):
    """Refuse a change that would leave the community without an active manager."""
    if not membership.is_manager:
        return
    managers = Membership.objects.select_for_update().filter(
        community_id=membership.community_id, role=Role.MANAGER, status=Status.ACTIVE
    )
    others = [m for m in managers if m.pk != membership.pk]
    if not others:
        raise CommunityError(_("A community always needs at least one manager. Make someone else a manager first."))


@transaction.atomic
def membership_activate(*, user, community, role=Role.MEMBER, source, actor=None, now=None):
    """Make the person an active member (new, returning or pending). Keeps an active member as is.

    Invitations and invite links go through here; they skip the join policy on purpose.
    """
    now = now or timezone.now()
    membership, created = Membership.objects.select_for_update().get_or_create(
        community=community,
        user=user,
        defaults={"role": role, "status": Status.ACTIVE, "source": source, "joined_at": now, "requested_at": now},
    )
    if not created and membership.is_active:
        return membership
    if not created:
        membership.status, membership.source, membership.joined_at = Status.ACTIVE, source, now
        membership.role, membership.stage = role, Membership.Stage.NEW
        membership.save(update_fields=["status", "source", "joined_at", "role", "stage", "updated_at"])
    activity_record(
        user=user,
        community=community,
        kind=Activity.Kind.JOINED,
        actor=actor,
        summary=_("Joined %(community)s") % {"community": community.name},
        data={"source": source, "role": role},
        occurred_at=now,
    )
    if role == Role.MANAGER:
        user_mfa_require(user=user, now=now)
    return membership


def _refuse_join(existing, community):
    if existing is None or existing.status == Status.LEFT:
        if community.join_policy == Community.JoinPolicy.INVITATION:
            raise CommunityError(_("This community is by invitation only. Ask a manager to invite you."))
        return
    if existing.is_active:
        raise CommunityError(_("You are already a member of this community."))
    if existing.status == Status.PENDING:
        raise CommunityError(_("Your request to join is already waiting for a manager."))
    raise CommunityError(_("A manager removed you from this community. Ask them to invite you again."))


@transaction.atomic
def membership_join(*, user, community, message="", consents=None, now=None):
    """Join by the community's policy: open → member at once; approval → a request managers decide on.

    `consents`, when the person was asked, maps "news" and "reports" to whether this community may send
    them; each answer is recorded as a community preference (source "join").
    """
    now = now or timezone.now()
    existing = Membership.objects.select_for_update().filter(community=community, user=user).first()
    _refuse_join(existing, community)
    for category, allowed in (consents or {}).items():
        community_preference_set(
            user=user, community=community, category=category, allowed=allowed, source="join", now=now
        )
    if community.join_policy == Community.JoinPolicy.OPEN:
        return membership_activate(user=user, community=community, source=Membership.Source.SIGNUP, now=now)
    return _membership_request(existing=existing, user=user, community=community, message=message, now=now)


def _membership_request(*, existing, user, community, message, now):
    membership = existing
    if membership is None:
        # get_or_create: a double-submitted form must not fail on the unique constraint.
        membership, created = Membership.objects.get_or_create(
            community=community, user=user, defaults={"status": Status.PENDING, "joined_at": None}
        )
        if not created:
            raise CommunityError(_("Your request to join is already waiting for a manager."))
    membership.status, membership.requested_at, membership.message = Status.PENDING, now, message.strip()[:2000]
    membership.source = Membership.Source.SIGNUP
    membership.save()
    activity_record(
        user=user,
        community=community,
        kind=Activity.Kind.REQUESTED,
        summary=_("Asked to join %(community)s") % {"community": community.name},
        occurred_at=now,
    )
    _tell_managers_of_request(membership)
    return membership


def _tell_managers_of_request(membership):
    community = membership.community
    managers = User.objects.filter(
        memberships__community=community,
        memberships__role=Role.MANAGER,
        memberships__status=Status.ACTIVE,
        is_active=True,
    )
    stamp = int(membership.requested_at.timestamp())
    for manager in managers:
        message_send(
            key=f"join-request:{membership.pk}:{stamp}:{manager.pk}",
            template="community_join_request",
            context={"community": community, "membership": membership, "person": membership.user},
            user=manager,
            community=community,
        )


@transaction.atomic
def membership_leave(*, user, community, now=None):
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is None:
        raise CommunityError(_("You are not a member of this community."))
    membership = _locked(membership)
    if membership.status not in (Status.ACTIVE, Status.PENDING):
        raise CommunityError(_("You are not a member of this community."))
    _keep_a_manager(membership)
    was_pending = membership.status == Status.PENDING
    membership.status = Status.LEFT
    membership.save(update_fields=["status", "updated_at"])
    summary = _("Withdrew the request to join") if was_pending else _("Left the community")
    activity_record(user=user, community=community, kind=Activity.Kind.LEFT, summary=summary, occurred_at=now)
    return membership


@transaction.atomic
def membership_approve(*, membership, actor, now=None):
    now = now or timezone.now()
    membership = _locked(membership)
    require_manager(actor=actor, community=membership.community)
    if membership.status != Status.PENDING:
        raise CommunityError(_("This request was already decided."))
    membership.status, membership.joined_at, membership.stage = Status.ACTIVE, now, Membership.Stage.NEW
    membership.save(update_fields=["status", "joined_at", "stage", "updated_at"])
    activity_record(
        user=membership.user,
        community=membership.community,
        kind=Activity.Kind.JOINED,
        actor=actor,
        summary=_("Join request approved"),
        data={"source": membership.source},
        occurred_at=now,
    )
    message_send(
        key=f"join-approved:{membership.pk}:{int(now.timestamp())}",
        template="community_join_approved",
        context={"community": membership.community, "membership": membership},
        user=membership.user,
        community=membership.community,
    )
    return membership


@transaction.atomic
def membership_decline(*, membership, actor, now=None):
    """Decline a request. Someone who never was a member leaves no membership behind; a returning
    member goes back to "left", keeping their history (contacts, tags)."""
    membership = _locked(membership)
    community, person = membership.community, membership.user
    require_manager(actor=actor, community=community)
    if membership.status != Status.PENDING:
        raise CommunityError(_("This request was already decided."))
    message_send(
        key=f"join-declined:{membership.pk}:{int(membership.requested_at.timestamp())}",
        template="community_join_declined",
        context={"community": community},
        user=person,
        community=community,
    )
    activity_record(
        user=person, community=community, kind=Activity.Kind.REMOVED, actor=actor, summary=_("Join request declined")
    )
    if membership.joined_at is None:
        membership.delete()
        return None
    membership.status = Status.LEFT
    membership.save(update_fields=["status", "updated_at"])
    return membership


@transaction.atomic
def membership_change_role(*, membership, role, actor, now=None):
    """Give an active member another role; a community's last manager cannot be demoted."""
    if role not in Role.values:
        raise CommunityError(_("Unknown role."))
    membership = _locked(membership)
    require_manager(actor=actor, community=membership.community)
    if not membership.is_active:
        raise CommunityError(_("Only active members can have a role."))
    if membership.role == role:
        return membership
    if role != Role.MANAGER:
        _keep_a_manager(membership)
    old_role, membership.role = membership.role, role
    membership.save(update_fields=["role", "updated_at"])
    if role == Role.MANAGER:
        user_mfa_require(user=membership.user, now=now)
    activity_record(
        user=membership.user,
        community=membership.community,
        kind=Activity.Kind.ROLE_CHANGED,
        actor=actor,
        summary=_("Role changed from %(old)s to %(new)s") % {"old": Role(old_role).label, "new": Role(role).label},
        data={"from": old_role, "to": role},
        occurred_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.ROLE_CHANGED,
        community=membership.community,
        person=membership.user,
        target=membership,
        summary=f"{old_role} → {role}",
        now=now,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership, actor, now=None):
    """Remove someone from the community; they cannot rejoin by themselves, only by invitation."""
    membership = _locked(membership)
    require_manager(actor=actor, community=membership.community)
    if membership.status == Status.REMOVED:
        return membership
    _keep_a_manager(membership)
    membership.status = Status.REMOVED
    membership.save(update_fields=["status", "updated_at"])
    activity_record(
        user=membership.user,
        community=membership.community,
        kind=Activity.Kind.REMOVED,
        actor=actor,
        summary=_("Removed from the community"),
        occurred_at=now,
    )
    return membership


@transaction.atomic
def membership_host_request(*, membership, by, message="", now=None):
    """An active member asks to become a host, who may propose events; asking twice changes nothing.

    Raises CommunityError when `by` is not the member, the membership is not active, or they already
    run events here (a host or a manager).
    """
    membership = _locked(membership)
    if membership.user_id != by.pk:
        raise CommunityError(_("Only the member may ask for themselves."))
    if membership.status != Status.ACTIVE:
        raise CommunityError(_("Join the community first."))
    if membership.role != Membership.Role.MEMBER:
        raise CommunityError(_("You can already run events here."))
    if membership.host_requested_at is None:
        membership.host_requested_at = now or timezone.now()
        membership.host_request_message = (message or "").strip()[:1000]
        membership.save(update_fields=["host_requested_at", "host_request_message", "updated_at"])
    return membership


@transaction.atomic
def membership_host_decide(*, membership, actor, approve, now=None):
    """A manager makes a member a host (they are told by e-mail) or turns the request down."""
    now = now or timezone.now()
    membership = _locked(membership)
    require_manager(actor=actor, community=membership.community)
    if membership.host_requested_at is None:
        raise CommunityError(_("This request was already decided."))
    membership.host_requested_at, membership.host_request_message = None, ""
    approve = approve and membership.status == Status.ACTIVE and membership.role == Membership.Role.MEMBER
    if approve:
        membership.role = Membership.Role.HOST
    membership.save(update_fields=["role", "host_requested_at", "host_request_message", "updated_at"])
    if approve:
        message_send(
            key=f"host-approved:{membership.pk}:{int(now.timestamp())}",
            template="community_host_approved",
            context={"community": membership.community, "membership": membership},
            user=membership.user,
            community=membership.community,
        )
    return membership
