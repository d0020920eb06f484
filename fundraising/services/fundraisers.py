"""Supporters' fundraisers and teams."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.selectors import is_manager
from config.slugs import save_with_free_slug
from fundraising.models import Campaign, Fundraiser, FundraiserUpdate, Team
from fundraising.money import AmountError, amount_parse
from fundraising.services import notifications
from fundraising.services.errors import FundraisingError


def _goal(value):
    try:
        return amount_parse(value, minimum=Decimal("1"), maximum=Decimal("9999999999.99"))
    except AmountError as exc:
        raise FundraisingError(_("Goal: %(error)s") % {"error": exc}) from exc


@transaction.atomic
def fundraiser_open(
    *, campaign, owner, title, goal, story="", cover=None, team=None, team_name="", event=None, now=None
):
    """A signed-in supporter opens a fundraiser under an active campaign that allows them."""
    if not owner.is_authenticated:
        raise FundraisingError(_("Sign in to open a fundraiser."))
    if campaign.status != Campaign.Status.ACTIVE or not campaign.allow_fundraisers:
        raise FundraisingError(_("This campaign does not take new fundraisers."))
    if team is not None and team.campaign_id != campaign.pk:
        raise FundraisingError(_("This team belongs to another campaign."))
    if team is None and team_name.strip():
        team = team_create(campaign=campaign, captain=owner, name=team_name)
    fundraiser = Fundraiser(
        campaign=campaign,
        owner=owner,
        team=team,
        title=title.strip(),
        goal=_goal(goal),
        story=story.strip(),
        created_at=now or timezone.now(),
    )
    if cover:
        fundraiser.cover = cover
    _event_set(fundraiser, event, campaign)
    save_with_free_slug(fundraiser, source=fundraiser.title, queryset=Fundraiser.objects.all(), max_length=80)
    notifications.fundraiser_opened(fundraiser=fundraiser)
    return fundraiser


def _event_set(fundraiser, event, campaign):
    if event is None:
        return
    if event.community_id != campaign.community_id:
        raise FundraisingError(_("The event belongs to another community."))
    fundraiser.event = event


def team_create(*, campaign, captain, name):
    """A new team under the campaign. Team names are unique per campaign whatever their case, also when
    several people create the same team at the same moment (the database's constraint decides).
    Raises FundraisingError when the name is taken."""
    name = name.strip()
    taken = FundraisingError(_("A team with this name already exists; join it instead."))
    if Team.objects.filter(campaign=campaign, name__iexact=name).exists():
        raise taken
    team = Team(campaign=campaign, captain=captain, name=name)
    try:
        return save_with_free_slug(team, source=name, queryset=Team.objects.filter(campaign=campaign), max_length=80)
    except IntegrityError as exc:
        raise taken from exc


def _require_owner(fundraiser, actor):
    if not actor.is_authenticated or fundraiser.owner_id != actor.pk:
        raise FundraisingError(_("Only the fundraiser's owner may change it."))


@transaction.atomic
def fundraiser_edit(*, fundraiser, actor, title, goal, story, cover=None):
    _require_owner(fundraiser, actor)
    fundraiser = Fundraiser.objects.select_for_update().get(pk=fundraiser.pk)
    fundraiser.title, fundraiser.goal, fundraiser.story = title.strip(), _goal(goal), story.strip()
    if cover:
        fundraiser.cover = cover
    fundraiser.save(update_fields=["title", "goal", "story", "cover"])
    return fundraiser


def fundraiser_update_post(*, fundraiser, actor, title, body, now=None):
    _require_owner(fundraiser, actor)
    return FundraiserUpdate.objects.create(
        fundraiser=fundraiser, title=title.strip(), body=body.strip(), published_at=now or timezone.now()
    )


@transaction.atomic
def fundraiser_hide(*, fundraiser, actor, reason, now=None):
    """A campaign manager hides a fundraiser: gone from public pages, no donations; the owner is told why."""
    if not is_manager(actor, fundraiser.campaign.community):
        raise FundraisingError(_("Only the campaign's managers may hide a fundraiser."))
    if not reason.strip():
        raise FundraisingError(_("Say why, so the owner can put it right."))
    fundraiser = (
        Fundraiser.objects.select_for_update(of=("self",)).select_related("campaign", "owner").get(pk=fundraiser.pk)
    )
    if fundraiser.status == Fundraiser.Status.HIDDEN:
        return fundraiser
    fundraiser.status, fundraiser.hidden_reason = Fundraiser.Status.HIDDEN, reason.strip()
    fundraiser.hidden_at = now or timezone.now()
    fundraiser.save(update_fields=["status", "hidden_reason", "hidden_at"])
    notifications.fundraiser_hidden(fundraiser=fundraiser, actor=actor)
    return fundraiser


@transaction.atomic
def fundraiser_unhide(*, fundraiser, actor):
    if not is_manager(actor, fundraiser.campaign.community):
        raise FundraisingError(_("Only the campaign's managers may show a fundraiser again."))
    Fundraiser.objects.filter(pk=fundraiser.pk, status=Fundraiser.Status.HIDDEN).update(
        status=Fundraiser.Status.ACTIVE, hidden_reason=""
    )
    fundraiser.refresh_from_db()
    return fundraiser
