"""Reads about events scoped by who is asking. Views and the API get events through these."""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from communities.models import Community, Membership
from communities.selectors import communities_visible_to, is_manager, membership_of
from events.models import Event, Registration

LISTED = (Event.Status.PUBLISHED, Event.Status.CANCELLED, Event.Status.COMPLETED)


def _active_member_of(user):
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)


def events_visible_to(user):
    """Events the person may see.

    Anyone: listed events (published, cancelled, completed) that are public, in public communities.
    Members: also their communities' members-only events. Managers: everything in their communities,
    drafts and proposals included. Hosts: the events they host or proposed. Staff: everything.
    """
    if user.is_authenticated and user.is_staff:
        return Event.objects.all()
    public_community = Q(community__visibility=Community.Visibility.PUBLIC)
    listed = Q(status__in=LISTED)
    visible = listed & public_community & Q(visibility=Event.Visibility.PUBLIC)
    if user.is_authenticated:
        member_of = _active_member_of(user).values("community_id")
        managed = _active_member_of(user).filter(role=Membership.Role.MANAGER).values("community_id")
        visible |= listed & Q(community_id__in=member_of)
        visible |= Q(community_id__in=managed)
        visible |= Q(Exists(Event.hosts.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)))
        visible |= Q(created_by=user)
    return Event.objects.filter(visible)


def event_for_viewer(user, pk):
    """The event if the person may see it; 404 otherwise (also for other communities' ids)."""
    if not str(pk).isdigit():
        raise Http404("No such event.")
    event = events_visible_to(user).select_related("community").filter(pk=pk).first()
    if event is None:
        raise Http404("No such event.")
    return event


def can_manage(user, event):
    """Managers of the event's community (and staff) and the event's own hosts run the event."""
    if not user.is_authenticated:
        return False
    if is_manager(user, event.community):
        return True
    return event.hosts.filter(pk=user.pk).exists()


def event_for_host(user, pk):
    """The event if the person may run it (see registrations, check people in); 404 otherwise."""
    event = event_for_viewer(user, pk)
    if not can_manage(user, event):
        raise Http404("No such event.")
    return event


def can_propose(user, community):
    """Managers create events; members with the host role propose them."""
    membership = membership_of(user, community)
    if user.is_authenticated and user.is_staff:
        return True
    return bool(
        membership and membership.is_active and membership.role in (Membership.Role.MANAGER, Membership.Role.HOST)
    )


def with_counts(queryset):
    """Annotate seats taken and the waitlist length, so lists need no query per event."""
    return queryset.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=Registration.SEATED)),
        waitlist_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    ).annotate(places_left=F("capacity") - F("seats_taken"))


def with_viewer(queryset, user):
    """Annotate whether the person is registered for or hosts each event (for the online link)."""
    if not user.is_authenticated:
        return queryset
    registered = Registration.objects.filter(event_id=OuterRef("pk"), user_id=user.pk).exclude(
        status=Registration.Status.CANCELLED
    )
    hosts = Event.hosts.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    return queryset.annotate(viewer_registered=Exists(registered), viewer_hosts=Exists(hosts))


class _Everything:
    def __contains__(self, item):
        return True


def managed_community_ids(user):
    """Ids of the communities the person manages, evaluated lazily; staff manage them all."""
    if not user.is_authenticated:
        return set()
    if user.is_staff:
        return _Everything()
    return SimpleLazyObject(
        lambda: set(_active_member_of(user).filter(role=Membership.Role.MANAGER).values_list("community_id", flat=True))
    )


def registration_counts(event):
    """{"confirmed", "waitlisted", "attended"}: how many registrations of the event are in each. One query."""
    counts = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
    )
    return counts


def community_events(user, community, *, past=False, now=None):
    now = now or timezone.now()
    events = events_visible_to(user).filter(community=community)
    if past:
        events = events.filter(ends_at__lt=now).order_by("-starts_at")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at")
    return with_counts(events.select_related("community"))


def events_in_range(user, community, *, start, end):
    events = events_visible_to(user).filter(community=community, starts_at__gte=start, starts_at__lt=end)
    return events.exclude(status__in=[Event.Status.DRAFT]).order_by("starts_at")


def registrations_of(user):
    """The person's own registrations, with their events, newest events first."""
    return Registration.objects.filter(user=user).select_related("event", "event__community")


def registration_of(user, event):
    """The person's active registration for the event, or None."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).exclude(status=Registration.Status.CANCELLED).first()


def event_registrations(event):
    return event.registrations.select_related("user").order_by("status", "position", "created_at", "pk")


def registrations_visible_to(user):
    """Own registrations, plus every registration of events the person runs; only of events the person
    may see (an own registration for an event since made private or a draft is not listed)."""
    if user.is_staff:
        return Registration.objects.all()
    managed = _active_member_of(user).filter(role=Membership.Role.MANAGER).values("community_id")
    hosted = Event.hosts.through.objects.filter(user_id=user.pk).values("event_id")
    theirs = Q(user=user) | Q(event__community_id__in=managed) | Q(event_id__in=hosted)
    return Registration.objects.filter(theirs, event__in=events_visible_to(user).values("pk"))


def seats_left(event):
    if event.capacity is None:
        return None
    taken = getattr(event, "seats_taken", None)
    if taken is None:
        taken = event.registrations.filter(status__in=Registration.SEATED).count()
    return max(event.capacity - taken, 0)


def visible_community_or_404(user, slug):
    community = communities_visible_to(user).filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community
