"""Creating and editing communities."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from communities.services import CommunityError
from communities.services.membership import membership_activate, require_manager
from config.sanitize import sanitize_html
from config.slugs import save_with_free_slug

# Paths under /c/ that a community's slug must not shadow.
RESERVED_SLUGS = {"new", "invite", "join", "manage", "api"}
EDITABLE_FIELDS = [
    "name",
    "slug",
    "kind",
    "description",
    "cover",
    "visibility",
    "join_policy",
    "timezone",
    "departed_fundraisers",
]


def rich_text(value):
    """Sanitised HTML from what a person wrote: plain text becomes paragraphs, HTML keeps simple formatting."""
    value = (value or "").strip()
    if value and "<" not in value:
        value = linebreaks(value, autoescape=True)
    return sanitize_html(value)


@transaction.atomic
def community_create(*, actor, name, slug="", now=None, **fields):
    """A new community; the staff member creating it (`actor`) becomes its first manager."""
    if not (actor.is_authenticated and actor.is_staff):
        raise CommunityError(_("Only the organisation's staff can create communities."))
    if slug in RESERVED_SLUGS:
        raise CommunityError(_("This address is reserved. Choose another one."))
    fields["description"] = rich_text(fields.get("description", ""))
    community = Community(name=name, slug=slug, created_at=now or timezone.now(), **fields)
    try:
        if slug:
            with transaction.atomic():
                community.save()
        else:
            queryset = Community.objects.all()
            save_with_free_slug(
                community, source=name, queryset=queryset, reserved=RESERVED_SLUGS, fallback="community"
            )
    except IntegrityError as exc:
        raise CommunityError(_("A community with this address already exists.")) from exc
    membership_activate(
        user=actor, community=community, role=Membership.Role.MANAGER, source=Membership.Source.SIGNUP, now=now
    )
    return community


@transaction.atomic
def community_update(*, community, actor, **fields):
    require_manager(actor=actor, community=community)
    community = Community.objects.select_for_update().get(pk=community.pk)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise CommunityError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if fields.get("slug") in RESERVED_SLUGS:
        raise CommunityError(_("This address is reserved. Choose another one."))
    if "description" in fields:
        fields["description"] = rich_text(fields["description"])
    if fields.get("cover", "") is None:  # no new upload: keep the cover
        del fields["cover"]
    elif fields.get("cover") is False:  # the "clear" box was ticked
        fields["cover"] = ""
    for name, value in fields.items():
        setattr(community, name, value)
    try:
        with transaction.atomic():
            community.save()
    except IntegrityError as exc:
        raise CommunityError(_("A community with this address already exists.")) from exc
    return community
