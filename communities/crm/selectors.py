"""Reads for the member directory and the member page: filters, search, sorting, the timeline.

The caller has already checked that the person manages the community (selectors.community_for_manager);
everything here is scoped to that one community.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.crm.models import ContactLog
from communities.models import Community, Membership, Tag
from communities.selectors import communities_managed_by
from members.models import Activity, OutboundMessage
from members.search import people_search

PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 20

ACTIVITY_WINDOWS = {"7": 7, "30": 30, "90": 90}
ACTIVITY_CHOICES = [
    ("7", _("in the last 7 days")),
    ("30", _("in the last 30 days")),
    ("90", _("in the last 90 days")),
    ("never", _("never")),
]
SORT_CHOICES = [
    ("name", _("Name, A–Z")),
    ("-name", _("Name, Z–A")),
    ("-joined", _("Joined, newest first")),
    ("joined", _("Joined, oldest first")),
    ("-activity", _("Last activity, recent first")),
    ("activity", _("Last activity, longest ago first")),
    ("-engagement", _("Engagement, highest first")),
    ("engagement", _("Engagement, lowest first")),
]
_NAME = Lower(Coalesce(NullIf("user__name", Value("")), "user__email"))
SORT_ORDERINGS = {
    "name": [_NAME.asc(), "pk"],
    "-name": [_NAME.desc(), "-pk"],
    "joined": [F("joined_at").asc(nulls_last=True), "pk"],
    "-joined": [F("joined_at").desc(nulls_last=True), "-pk"],
    # Longest ago first: people who never did anything come before everyone.
    "activity": [F("last_activity_at").asc(nulls_first=True), "pk"],
    "-activity": [F("last_activity_at").desc(nulls_last=True), "-pk"],
    "engagement": [F("engagement_score").asc(), "pk"],
    "-engagement": [F("engagement_score").desc(), "-pk"],
}


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    roles: tuple = ()
    statuses: tuple = ()
    stages: tuple = ()
    levels: tuple = ()
    tags: tuple = ()
    active: str = ""
    sort: str = "name"

    @property
    def count(self):
        """How many filters are on (search and sorting aside)."""
        groups = [self.roles, self.statuses, self.stages, self.levels, self.tags]
        return sum(len(g) for g in groups) + (1 if self.active else 0)


@dataclass
class FilterParse:
    filters: DirectoryFilters
    errors: dict = field(default_factory=dict)


def _choice_values(params, name, choices, errors):
    allowed = {value for value, _label in choices}
    values = [v for v in params.getlist(name) if v != ""]
    bad = [v for v in values if v not in allowed]
    if bad:
        errors[name] = [_("“%(value)s” is not a valid choice.") % {"value": bad[0]}]
    return tuple(dict.fromkeys(v for v in values if v in allowed))


def _tag_values(params, errors):
    ids = []
    for value in params.getlist("tag"):
        if value.isdigit() and len(value) < 10:
            ids.append(int(value))
        elif value != "":
            errors["tag"] = [_("A tag is given by its number.")]
    return tuple(dict.fromkeys(ids))


def directory_filters_parse(params):
    """The filters in a query string (a QueryDict). Invalid values are dropped and reported in `errors`:
    the page ignores them, the API answers 400 with them."""
    errors = {}
    active = params.get("active", "")
    if active and active not in dict(ACTIVITY_CHOICES):
        errors["active"] = [_("“%(value)s” is not a valid choice.") % {"value": active}]
        active = ""
    sort = params.get("sort", "") or "name"
    if sort not in dict(SORT_CHOICES):
        errors["sort"] = [_("“%(value)s” is not a valid choice.") % {"value": sort}]
        sort = "name"
    filters = DirectoryFilters(
        q=" ".join(params.get("q", "").replace("\x00", "").split())[:100],
        roles=_choice_values(params, "role", Membership.Role.choices, errors),
        statuses=_choice_values(params, "status", Membership.Status.choices, errors),
        stages=_choice_values(params, "stage", Membership.Stage.choices, errors),
        levels=_choice_values(params, "level", Membership.Level.choices, errors),
        tags=_tag_values(params, errors),
        active=active,
        sort=sort,
    )
    return FilterParse(filters=filters, errors=errors)


def _search(queryset, q):
    return people_search(queryset, q, prefix="user__")


def _activity_filter(queryset, active, now):
    if active == "never":
        return queryset.filter(last_activity_at__isnull=True)
    if active:
        return queryset.filter(last_activity_at__gte=now - timedelta(days=ACTIVITY_WINDOWS[active]))
    return queryset


def directory_memberships(*, community, filters, now=None):
    """The community's memberships matching the filters, sorted, with their people and tags loaded."""
    now = now or timezone.now()
    queryset = Membership.objects.filter(community=community)
    if filters.q:
        queryset = _search(queryset, filters.q)
    for name, values in [
        ("role__in", filters.roles),
        ("status__in", filters.statuses),
        ("stage__in", filters.stages),
        ("engagement_level__in", filters.levels),
    ]:
        if values:
            queryset = queryset.filter(**{name: values})
    if filters.tags:
        tagged = Membership.tags.through.objects.filter(membership_id=OuterRef("pk"), tag_id__in=filters.tags)
        queryset = queryset.filter(Exists(tagged))
    queryset = _activity_filter(queryset, filters.active, now)
    return queryset.select_related("user").prefetch_related("tags").order_by(*SORT_ORDERINGS[filters.sort])


def directory_selection(*, community, filters, ids, everyone, now=None):
    """The memberships a bulk action applies to: every one matching the filters, or the ticked ids."""
    matching = directory_memberships(community=community, filters=filters, now=now)
    if everyone:
        return matching
    return matching.filter(pk__in=ids)


def community_tags(community):
    return list(Tag.objects.filter(community=community).order_by(Lower("name")))


def community_for_manager_by_id(user, community_id):
    """As selectors.community_for_manager, by id (the API's nested routes use ids): 404 unless managed."""
    managed = Community.objects.all() if user.is_authenticated and user.is_staff else communities_managed_by(user)
    community = managed.filter(pk=community_id).first()
    if community is None:
        raise Http404("No such community.")
    return community


def membership_for_manager(*, community, membership_id):
    """One membership of this community (404 for any other id), with the person and tags loaded."""
    membership = (
        Membership.objects.filter(community=community, pk=membership_id)
        .select_related("user")
        .prefetch_related("tags")
        .first()
    )
    if membership is None:
        raise Http404("No such member in this community.")
    return membership


def membership_contacts(*, membership):
    return ContactLog.objects.filter(membership=membership).select_related("author").order_by("-created_at", "-pk")


@dataclass
class TimelineEntry:
    at: object
    activity: Activity | None = None
    contact: ContactLog | None = None


def membership_timeline(*, membership):
    """The person's activity in the community merged with the contact log, newest first, as one
    sliceable query (a UNION of ids), so a page of it costs the same whatever the history's length.

    Activities written for a contact-log entry are left out: the entry itself says more.
    """
    activities = (
        Activity.objects.filter(community_id=membership.community_id, user_id=membership.user_id)
        .exclude(kind__in=[Activity.Kind.CONTACTED, Activity.Kind.NOTE], data__has_key="contact")
        .annotate(source=Value("activity"), at=F("occurred_at"))
        .values_list("source", "pk", "at")
        .order_by()  # SQLite refuses ORDER BY inside a UNION's parts; the union is ordered below
    )
    contacts = (
        ContactLog.objects.filter(membership=membership)
        .annotate(source=Value("contact"), at=F("created_at"))
        .values_list("source", "pk", "at")
        .order_by()  # SQLite refuses ORDER BY inside a UNION's parts; the union is ordered below
    )
    return activities.union(contacts, all=True).order_by("-at", "-pk")


def timeline_entries(rows):
    """Load the objects behind one page of membership_timeline(): two queries at most."""
    rows = list(rows)
    activity_ids = [pk for source, pk, _at in rows if source == "activity"]
    contact_ids = [pk for source, pk, _at in rows if source == "contact"]
    activities = Activity.objects.select_related("actor").in_bulk(activity_ids) if activity_ids else {}
    contacts = ContactLog.objects.select_related("author").in_bulk(contact_ids) if contact_ids else {}
    return [
        TimelineEntry(at=at, activity=activities.get(pk))
        if source == "activity"
        else TimelineEntry(at=at, contact=contacts.get(pk))
        for source, pk, at in rows
    ]


def directory_filters_params(filters, **changes):
    """The filters as query-string pairs (for links, redirects and hidden fields), with `changes` applied."""
    values = {
        "q": [filters.q] if filters.q else [],
        "role": list(filters.roles),
        "status": list(filters.statuses),
        "stage": list(filters.stages),
        "level": list(filters.levels),
        "tag": [str(t) for t in filters.tags],
        "active": [filters.active] if filters.active else [],
        "sort": [filters.sort] if filters.sort != "name" else [],
    }
    values.update(changes)
    return [(name, value) for name, items in values.items() for value in items]


def directory_message_progress(*, community, message_id):
    """How far a directory message has gone: e-mails written to the ledger, sent and failed.

    Counted from the ledger by the message's key prefix, only for people in this community, so
    another community's message id shows nothing.
    """
    rows = OutboundMessage.objects.filter(
        key__startswith=f"direct:{message_id}:",
        user__memberships__community=community,
    )
    counts = rows.aggregate(
        queued=Count("pk"),
        sent=Count("pk", filter=Q(status=OutboundMessage.Status.SENT)),
        failed=Count("pk", filter=Q(status=OutboundMessage.Status.FAILED)),
        skipped=Count("pk", filter=Q(status=OutboundMessage.Status.SKIPPED)),
    )
    return counts
