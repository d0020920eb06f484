"""Personal invitations by e-mail and shareable invite links."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.models import Invitation, InviteLink, Membership
from communities.services import CommunityError
from communities.services.membership import membership_activate, require_manager
from members.forms import supported_language
from members.models import Activity, ConsentRecord, User
from members.services import activity_record, consent_record, message_send, user_find_by_email

INVITATION_DAYS = 14
LINK_DAYS = 30
LINK_USES = 50


def _is_active_member(community, email):
    return Membership.objects.filter(
        community=community, user__email__iexact=email, status=Membership.Status.ACTIVE
    ).exists()


@transaction.atomic
def invitation_send(*, community, email, role=Membership.Role.MEMBER, actor, message="", now=None):
    """E-mail a single-use link to join; a new invitation to the same address replaces the open one."""
    now = now or timezone.now()
    require_manager(actor=actor, community=community)
    email = email.strip().lower()
    if _is_active_member(community, email):
        raise CommunityError(_("%(email)s is already a member of this community.") % {"email": email})
    Invitation.objects.filter(
        community=community, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                community=community,
                email=email,
                role=role,
                invited_by=actor,
                message=message.strip()[:2000],
                created_at=now,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError as exc:  # someone sent one to this address at the same moment
        raise CommunityError(_("An invitation to %(email)s was just sent.") % {"email": email}) from exc
    invitee = user_find_by_email(email)
    if invitee is not None:
        activity_record(user=invitee, community=community, kind=Activity.Kind.INVITED, actor=actor, occurred_at=now)
    message_send(
        key=f"invitation:{invitation.pk}",
        template="community_invitation",
        context={"invitation": invitation, "community": community, "inviter": actor},
        user=invitee,
        to_email=email,
        community=community,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation, actor, now=None):
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    require_manager(actor=actor, community=invitation.community)
    if invitation.accepted_at is not None:
        raise CommunityError(_("This invitation was already accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = now or timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_status(invitation, now=None):
    """One of: accepted, revoked, expired, open."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def invitation_check(invitation, now=None):
    """Raise the reason an invitation can no longer be used, if there is one."""
    reasons = {
        "accepted": _("This invitation was already used. Ask the manager for a new one."),
        "revoked": _("This invitation was withdrawn by the community's manager."),
        "expired": _("This invitation has expired. Ask the manager to send a new one."),
    }
    status = invitation_status(invitation, now)
    if status in reasons:
        raise CommunityError(reasons[status])


def _verified_emails(user):
    return {e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)}


def invitation_problem(*, invitation, user, now=None):
    """Why this signed-in person cannot accept the invitation, or "" when they can."""
    try:
        invitation_check(invitation, now)
    except CommunityError as exc:
        return str(exc)
    if invitation.email.lower() not in _verified_emails(user):
        return _(
            "This invitation was sent to %(invited)s, but you are signed in as %(you)s. "
            "Sign out and open the link again, or ask for an invitation to your own address."
        ) % {"invited": invitation.email, "you": user.email}
    return ""


@transaction.atomic
def invitation_accept(*, token, user, now=None):
    """Join the community the invitation is for. The signed-in person must own the invited address."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().select_related("community").filter(token=token).first()
    if invitation is None:
        raise CommunityError(_("This invitation link is not valid."))
    if invitation.accepted_by_id == user.pk and invitation.accepted_at is not None:
        return Membership.objects.get(community=invitation.community, user=user)
    problem = invitation_problem(invitation=invitation, user=user, now=now)
    if problem:
        raise CommunityError(problem)
    membership = membership_activate(
        user=user,
        community=invitation.community,
        role=invitation.role,
        source=Membership.Source.INVITATION,
        actor=invitation.invited_by,
        now=now,
    )
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_sign_up(*, token, name, password, personal_data, consent_news=False, now=None):
    """Create the invitee's account and join them. Returns the membership (its user is the new person).

    The token came to the invited address, so that address counts as verified.
    """
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None:
        raise CommunityError(_("This invitation link is not valid."))
    invitation_check(invitation, now)
    if not personal_data:
        raise CommunityError(_("Without this consent we cannot create your account."))
    taken = CommunityError(
        _("There is already an account for %(email)s. Sign in to accept.") % {"email": invitation.email}
    )
    if user_find_by_email(invitation.email) is not None:
        raise taken
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                name=name.strip(),
                language=supported_language(translation.get_language()),
                consent_news=consent_news,
            )
    except IntegrityError as exc:
        raise taken from exc
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    consent_record(user=user, kind=ConsentRecord.Kind.PERSONAL_DATA, granted=True, source="invitation", now=now)
    if consent_news:
        consent_record(user=user, kind=ConsentRecord.Kind.NEWS, granted=True, source="invitation", now=now)
    return invitation_accept(token=token, user=user, now=now)


@transaction.atomic
def invite_link_create(*, community, actor, max_uses=LINK_USES, days=LINK_DAYS, now=None):
    require_manager(actor=actor, community=community)
    now = now or timezone.now()
    if max_uses < 1 or days < 1:
        raise CommunityError(_("A link needs at least one use and one day."))
    expires_at = now + timedelta(days=days)
    return InviteLink.objects.create(
        community=community, created_by=actor, max_uses=max_uses, expires_at=expires_at, created_at=now
    )


@transaction.atomic
def invite_link_revoke(*, link, actor, now=None):
    link = InviteLink.objects.select_for_update().get(pk=link.pk)
    require_manager(actor=actor, community=link.community)
    if link.revoked_at is None:
        link.revoked_at = now or timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def invite_link_status(link, now=None):
    """One of: revoked, expired, used_up, open."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= (now or timezone.now()):
        return "expired"
    if link.uses >= link.max_uses:
        return "used_up"
    return "open"


def invite_link_check(link, now=None):
    reasons = {
        "revoked": _("This invite link was switched off by the community's manager."),
        "expired": _("This invite link has expired. Ask the manager for a new one."),
        "used_up": _("This invite link has been used as many times as it allows. Ask the manager for a new one."),
    }
    status = invite_link_status(link, now)
    if status in reasons:
        raise CommunityError(reasons[status])


@transaction.atomic
def invite_link_use(*, token, user, now=None):
    """Join through a shareable link, counting one use. The count never passes the limit, however
    many people open the link at the same moment: the increment is one conditional UPDATE."""
    now = now or timezone.now()
    link = InviteLink.objects.select_related("community").filter(token=token).first()
    if link is None:
        raise CommunityError(_("This invite link is not valid."))
    existing = Membership.objects.select_for_update().filter(community=link.community, user=user).first()
    if existing is not None and existing.is_active:
        return existing
    if existing is not None and existing.status == Membership.Status.REMOVED:
        raise CommunityError(_("A manager removed you from this community. Ask them to invite you again."))
    counted = InviteLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, expires_at__gt=now, uses__lt=F("max_uses")
    ).update(uses=F("uses") + 1)
    if not counted:
        link.refresh_from_db()
        invite_link_check(link, now)
        raise CommunityError(_("This invite link cannot be used any more."))
    return membership_activate(
        user=user, community=link.community, source=Membership.Source.INVITATION, actor=link.created_by, now=now
    )
