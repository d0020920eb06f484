"""Mobilisation: a manager's call to action to all members or a directory segment (category NEWS).

The e-mail's button is a signed link, /go/<token>/, naming the call and the membership: the first
visit records that the person opened it, and the landing page's "I'm in" records the response
(Activity REPLIED on their timeline). Sending runs on a worker in batches; each e-mail's key
`cta:<call id>:<membership id>` and the one recipient row per person make a retried batch a no-op.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.crm.selectors import directory_filters_params, directory_filters_parse, directory_memberships
from communities.crm.services.contacts import CrmInputError
from communities.models import Membership
from communities.routine.models import CallToAction, CallToActionResponse
from communities.services import CommunityError
from communities.services.membership import require_manager
from config.sanitize import sanitize_html
from members.links import LinkExpired, LinkInvalid, link_read, link_token
from members.models import Activity, AuditEntry, OutboundMessage
from members.services import activity_record, audit_record, message_send

BATCH_SIZE = 500


def _clean(*, title, body, button_label, link):
    title, button_label = " ".join((title or "").split()), " ".join((button_label or "").split())
    body = sanitize_html(body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Write a title.")
    if not body:
        errors["body"] = _("Write the text.")
    if not button_label:
        errors["button_label"] = _("Write the button's label, for example “I'm in”.")
    if errors:
        raise CrmInputError(errors)
    return title, body, button_label, (link or "").strip()


def segment_memberships(*, community, segment):
    """The active members of the community that the saved directory filters select."""
    params = QueryDict(mutable=True)
    for name, value in segment:
        params.appendlist(name, value)
    filters = directory_filters_parse(params).filters
    return directory_memberships(community=community, filters=filters).filter(status=Membership.Status.ACTIVE)


def segment_from(params):
    """The directory filters in a query string, as the list of pairs a call keeps."""
    return [list(pair) for pair in directory_filters_params(directory_filters_parse(params).filters)]


def call_to_action_send(*, community, actor, title, body, button_label, link="", segment=()):
    """Write the call and queue its batches on a worker. Returns the call."""
    from communities.routine.tasks import call_to_action_batch

    require_manager(actor=actor, community=community)
    title, body, button_label, link = _clean(title=title, body=body, button_label=button_label, link=link)
    segment = [list(pair) for pair in segment]
    ids = list(segment_memberships(community=community, segment=segment).order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise CommunityError(_("Nobody in this segment is an active member, so there is no one to call."))
    with transaction.atomic():
        call = CallToAction.objects.create(
            community=community,
            author=actor,
            title=title,
            body=body,
            button_label=button_label,
            link=link,
            segment=segment,
            recipients=len(ids),
        )
        for start in range(0, len(ids), BATCH_SIZE):
            call_to_action_batch.delay_on_commit(call.pk, ids[start : start + BATCH_SIZE])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_MESSAGE,
            community=community,
            target=call,
            summary=f"call to action to {len(ids)}",
        )
    return call


def call_to_action_batch_send(*, call_id, membership_ids):
    """E-mail one batch (run by a worker); people already written to, or no longer active, are skipped."""
    call = CallToAction.objects.select_related("community").filter(pk=call_id).first()
    if call is None:
        return 0
    done = set(CallToActionResponse.objects.filter(call=call).values_list("membership_id", flat=True))
    todo = Membership.objects.filter(
        community=call.community, pk__in=membership_ids, status=Membership.Status.ACTIVE, user__is_active=True
    ).exclude(pk__in=done)
    sent = 0
    for membership in todo.select_related("user"):
        with transaction.atomic():
            message = message_send(
                key=f"cta:{call.pk}:{membership.pk}",
                template="calltoaction",
                context={"call": call, "community": call.community, "go_url": go_url(call=call, membership=membership)},
                user=membership.user,
                category=OutboundMessage.Category.NEWS,
                community=call.community,
            )
            CallToActionResponse.objects.get_or_create(call=call, membership=membership, defaults={"message": message})
        sent += 1
    return sent


def go_url(*, call, membership):
    token = link_token({"c": call.pk, "m": membership.pk}, kind="call_to_action")
    return settings.SITE_URL + reverse("call_to_action_go", args=[token])


def go_read(token):
    """The recipient row of a valid link; raises CommunityError for a forged or expired one."""
    try:
        data = link_read(token, kind="call_to_action")
        response = CallToActionResponse.objects.select_related(
            "call__community", "membership__user", "membership__community"
        ).get(call_id=data["c"], membership_id=data["m"])
    except LinkExpired as exc:
        raise CommunityError(_("This link has expired.")) from exc
    except (LinkInvalid, CallToActionResponse.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise CommunityError(_("This link is not valid.")) from exc
    return response


def call_to_action_open(*, token, now=None):
    """The first visit of the link counts as opened; later ones change nothing."""
    response = go_read(token)
    if response.opened_at is None:
        now = now or timezone.now()
        CallToActionResponse.objects.filter(pk=response.pk, opened_at__isnull=True).update(opened_at=now)
        response.opened_at = now
    return response


@transaction.atomic
def call_to_action_respond(*, token, now=None):
    """ "I'm in": recorded once, on the person's timeline too."""
    response = call_to_action_open(token=token, now=now)
    now = now or timezone.now()
    claimed = CallToActionResponse.objects.filter(pk=response.pk, responded_at__isnull=True).update(responded_at=now)
    if claimed:
        response.responded_at = now
        activity_record(
            user=response.membership.user,
            community=response.call.community,
            kind=Activity.Kind.REPLIED,
            summary=f"{response.call.button_label}: {response.call.title}",
            data={"call": response.call.pk},
            occurred_at=now,
        )
    return response


def calls_of(community):
    """The community's calls with how many were sent, opened the link and responded (one query)."""
    sent = Q(responses__message__status=OutboundMessage.Status.SENT)
    return (
        CallToAction.objects.filter(community=community)
        .select_related("author")
        .annotate(
            sent=Count("responses", filter=sent),
            opened=Count("responses", filter=Q(responses__opened_at__isnull=False)),
            responded=Count("responses", filter=Q(responses__responded_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )
