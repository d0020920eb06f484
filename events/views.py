"""Event pages: parse, call one service, respond. Who may see what is decided in selectors."""

import calendar as pycalendar
import csv
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from communities.selectors import is_manager, membership_of
from config.confirm import confirm_page, is_confirmed
from config.ratelimit import send_limited, too_many_response
from events import calendars, selectors, services
from events.forms import (
    CancelEventForm,
    EventForm,
    GuestRegistrationForm,
    QuestionForm,
    ReasonForm,
    RegistrationForm,
    WalkInForm,
)
from events.models import Event, Registration
from events.services import AlreadyRegistered, EventError

FEED_SALT = "events.feed"
CHECK_IN_STATUSES = [Registration.Status.CONFIRMED, Registration.Status.ATTENDED, Registration.Status.NO_SHOW]


def _viewer_zone(request, event=None):
    """Signed-in people see times in their own zone; visitors in the event's (or the organisation's)."""
    if request.user.is_authenticated:
        return timezone.get_current_timezone()
    return event.zone if event is not None else timezone.get_default_timezone()


def _community(request, slug):
    community = selectors.visible_community_or_404(request.user, slug)
    return community, membership_of(request.user, community)


# ---------------------------------------------------------------- community pages


@require_GET
def community_events(request, slug):
    community, membership = _community(request, slug)
    past = request.GET.get("when") == "past"
    events = selectors.community_events(request.user, community, past=past)
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "membership": membership,
        "page": page,
        "past": past,
        "can_create": is_manager(request.user, community),
        "can_propose": selectors.can_propose(request.user, community),
        "feed_url": _feed_url(request, community, membership),
        "viewer_zone": _viewer_zone(request),
    }
    return render(request, "events/community_events.html", context)


def _month(request):
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate(timezone=_viewer_zone(request)).replace(day=1)


@require_GET
def community_calendar(request, slug):
    community, membership = _community(request, slug)
    zone = _viewer_zone(request)
    first = _month(request)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = datetime.combine(weeks[0][0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    by_day = {}
    for event in selectors.events_in_range(request.user, community, start=start, end=end):
        by_day.setdefault(event.starts_at.astimezone(zone).date(), []).append(event)
    context = {
        "community": community,
        "membership": membership,
        "month": first,
        "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        "has_events": bool(by_day),
        "previous": (first - timedelta(days=1)).replace(day=1),
        "next": (first + timedelta(days=32)).replace(day=1),
        "today": timezone.localdate(timezone=zone),
        "viewer_zone": zone,
        "feed_url": _feed_url(request, community, membership),
    }
    return render(request, "events/community_calendar.html", context)


def _feed_url(request, community, membership):
    path = reverse("events:community_ics", kwargs={"slug": community.slug})
    if membership and membership.is_active:
        # Members get a personal link that also lists members-only events.
        path += "?token=" + signing.dumps({"c": community.pk, "u": request.user.pk}, salt=FEED_SALT)
    return request.build_absolute_uri(path)


@require_GET
def community_ics(request, slug):
    """The community's calendar feed: public events for everyone, all listed events with a member's token."""
    from communities.models import Community
    from members.models import User

    community = get_object_or_404(Community, slug=slug)
    reader = request.user
    token = request.GET.get("token")
    if token:
        try:
            data = signing.loads(token, salt=FEED_SALT)
        except signing.BadSignature as exc:
            raise Http404("No such feed.") from exc
        if data.get("c") != community.pk:
            raise Http404("No such feed.")
        reader = get_object_or_404(User, pk=data.get("u"), is_active=True)
    community = selectors.visible_community_or_404(reader, slug)
    events = (
        selectors.events_visible_to(reader)
        .filter(
            community=community, status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED, Event.Status.COMPLETED]
        )
        .filter(ends_at__gte=timezone.now() - timedelta(days=180))
        .order_by("starts_at")[:500]
    )
    response = HttpResponse(calendars.community_ics(community, events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{community.slug}.ics"'
    return response


@login_required
def event_new(request, slug):
    community, membership = _community(request, slug)
    manager = is_manager(request.user, community)
    if not manager and not selectors.can_propose(request.user, community):
        raise Http404("No such page.")
    form = EventForm(request.POST or None, request.FILES or None, community=community, choose_hosts=manager)
    if request.method == "POST" and form.is_valid():
        try:
            if manager:
                publish = request.POST.get("action") == "publish"
                event = services.event_create(
                    community=community, by=request.user, fields=form.event_fields(), publish=publish
                )
                messages.success(request, _("The event is published.") if publish else _("The draft is saved."))
            else:
                event = services.event_propose(community=community, by=request.user, fields=form.event_fields())
                messages.success(request, _("Thank you! A manager will look at your proposal soon."))
            return redirect("events:manage", pk=event.pk)
        except EventError as exc:
            form.add_error(None, str(exc))
    return render(request, "events/event_form.html", {"form": form, "community": community, "is_manager": manager})


# ---------------------------------------------------------------- the event page


def _event_context(request, event, *, form=None):
    registration = selectors.registration_of(request.user, event)
    questions = list(event.questions.all())
    if form is None:
        form_class = RegistrationForm if request.user.is_authenticated else GuestRegistrationForm
        form = form_class(questions=questions)
    zone = _viewer_zone(request, event)
    taken = event.registrations.filter(status__in=Registration.SEATED).count()
    return {
        "event": event,
        "community": event.community,
        "registration": registration,
        "form": form,
        "can_manage": selectors.can_manage(request.user, event),
        "closed_reason": services.registration_closed_reason(event, timezone.now()),
        "seats_left": None if event.capacity is None else max(event.capacity - taken, 0),
        "viewer_zone": zone,
        "event_zone_differs": str(zone) != event.timezone
        and event.starts_at.astimezone(zone).utcoffset() != event.starts_at.astimezone(event.zone).utcoffset(),
        "show_online_url": event.is_online and registration is not None and registration.is_active,
        "fundraisers": services.fundraisers_of(event),
        "members_only_blocked": event.visibility == Event.Visibility.MEMBERS and not _is_member(request, event),
    }


def _is_member(request, event):
    membership = membership_of(request.user, event.community)
    return bool(membership and membership.is_active)


@require_GET
def event_detail(request, pk):
    event = selectors.event_for_viewer(request.user, pk)
    return render(request, "events/event_detail.html", _event_context(request, event))


@require_POST
def event_register(request, pk):
    event = selectors.event_for_viewer(request.user, pk)
    questions = list(event.questions.all())
    user = request.user if request.user.is_authenticated else None
    form = (RegistrationForm if user else GuestRegistrationForm)(request.POST, questions=questions)
    if form.is_valid():
        # A guest's confirmation goes to an address they typed: limited per network and per address.
        wait = 0 if user else send_limited(request, kind="registration", target=form.cleaned_data["guest_email"])
        if wait:
            return too_many_response(request, wait=wait)
        try:
            registration = services.registration_create(
                event=event,
                user=user,
                guest_name=form.cleaned_data.get("guest_name", ""),
                guest_email=form.cleaned_data.get("guest_email", ""),
                guest_reminders=form.cleaned_data.get("guest_reminders", False),
                answers=form.answers(),
            )
        except AlreadyRegistered as exc:
            if user is None:  # a guest is not shown someone's registration for typing their e-mail
                form.add_error("guest_email", str(exc))
            else:
                messages.info(request, str(exc))
                return redirect("events:detail", pk=exc.registration.event_id)
        except EventError as exc:
            form.add_error(None, str(exc))
        else:
            return _registered_redirect(request, registration)
    return render(request, "events/event_detail.html", _event_context(request, event, form=form), status=400)


def _registered_redirect(request, registration):
    if registration.status == Registration.Status.WAITLISTED:
        messages.info(request, _("The event is full: you are on the waitlist. We will e-mail you if a place frees up."))
    else:
        messages.success(request, _("You are registered. The confirmation is on its way to your e-mail."))
    if registration.user_id:
        return redirect("events:detail", pk=registration.event_id)
    return redirect("events:registration", token=services.registration_token(registration))


@login_required
@require_POST
def event_unregister(request, pk):
    event = selectors.event_for_viewer(request.user, pk)
    registration = selectors.registration_of(request.user, event)
    if registration is None:
        raise Http404("No registration.")
    try:
        services.registration_cancel(registration=registration, by=request.user)
        messages.success(request, _("Your registration is cancelled."))
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect("events:detail", pk=event.pk)


def registration_page(request, token):
    """A guest's own registration, reached by the signed link from the e-mail; they can cancel here."""
    registration = services.registration_from_token(token)
    if registration is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration, by=registration.user)
            messages.success(request, _("Your registration is cancelled."))
        except EventError as exc:
            messages.error(request, str(exc))
        return redirect("events:registration", token=token)
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "token": token,
        "viewer_zone": _viewer_zone(request, event),
        "ics_url": reverse("events:ics", kwargs={"pk": event.pk}) + "?t=" + token,
        "show_online_url": event.is_online and registration.is_active,
    }
    return render(request, "events/registration.html", context)


@require_GET
def event_ics(request, pk):
    """The event's .ics; a registration's signed token (from the e-mail) also opens members-only events."""
    registration = services.registration_from_token(request.GET["t"]) if request.GET.get("t") else None
    if registration is not None and registration.event_id == pk:
        event, show_online_url = registration.event, registration.is_active
    else:
        event = selectors.event_for_viewer(request.user, pk)
        own = selectors.registration_of(request.user, event)
        show_online_url = own is not None or selectors.can_manage(request.user, event)
    response = HttpResponse(
        calendars.event_ics(event, show_online_url=show_online_url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@login_required
@require_GET
def my_events(request):
    now = timezone.now()
    registrations = selectors.registrations_of(request.user).exclude(status=Registration.Status.CANCELLED)
    upcoming = registrations.filter(event__ends_at__gte=now).order_by("event__starts_at")[:100]
    past = registrations.filter(event__ends_at__lt=now).order_by("-event__starts_at")[:50]
    hosting = (
        selectors.with_counts(request.user.hosted_events.filter(ends_at__gte=now))
        .select_related("community")
        .order_by("starts_at")[:50]
    )
    context = {"upcoming": upcoming, "past": past, "hosting": hosting, "viewer_zone": _viewer_zone(request)}
    return render(request, "events/my_events.html", context)


# ---------------------------------------------------------------- running an event


def _host_event(request, pk):
    if not request.user.is_authenticated:
        raise Http404("No such event.")
    return selectors.event_for_host(request.user, pk)


@login_required
@require_GET
def event_manage(request, pk):
    event = _host_event(request, pk)
    registrations = list(selectors.event_registrations(event))
    questions = list(event.questions.all())
    for registration in registrations:
        registration.answer_list = [registration.answers.get(q.label, "") for q in questions]
    groups = {status: [r for r in registrations if r.status == status] for status in Registration.Status.values}
    groups[Registration.Status.WAITLISTED].sort(key=lambda r: (r.position or 0, r.pk))
    context = {
        "event": event,
        "community": event.community,
        "groups": groups,
        "questions": questions,
        "question_form": QuestionForm(),
        "decline_form": ReasonForm(),
        "cancel_form": CancelEventForm(),
        "is_manager": is_manager(request.user, event.community),
        "seats_taken": len(groups[Registration.Status.CONFIRMED]) + len(groups[Registration.Status.ATTENDED]),
        "viewer_zone": _viewer_zone(request, event),
    }
    return render(request, "events/manage.html", context)


@login_required
def event_edit(request, pk):
    event = _host_event(request, pk)
    instance = Event.objects.select_related("community").get(pk=event.pk)
    manager = is_manager(request.user, event.community)
    form = EventForm(request.POST or None, request.FILES or None, instance=instance, choose_hosts=manager)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, by=request.user, fields=form.event_fields())
            messages.success(request, _("Saved."))
            return redirect("events:manage", pk=event.pk)
        except EventError as exc:
            form.add_error(None, str(exc))
    return render(request, "events/event_form.html", {"form": form, "community": event.community, "event": event})


STATUS_ACTIONS = {
    # action: (service, manager only, success message)
    "approve": (
        lambda e, u, p: services.event_approve(event=e, by=u),
        True,
        gettext_lazy("The event is published and the host told."),
    ),
    "publish": (lambda e, u, p: services.event_publish(event=e, by=u), True, gettext_lazy("The event is published.")),
    "submit": (
        lambda e, u, p: services.event_submit(event=e, by=u),
        False,
        gettext_lazy("Sent to the managers for approval."),
    ),
    "complete": (
        lambda e, u, p: services.event_complete(event=e, by=u),
        False,
        gettext_lazy("The event is completed."),
    ),
}


def _confirm_first(request, event, *, title, effects, button, fields=()):
    """The confirmation page of a step that e-mails people or cannot be undone, unless it was confirmed."""
    if is_confirmed(request):
        return None
    back = reverse("events:manage", kwargs={"pk": event.pk})
    return confirm_page(request, title=title, effects=effects, button=button, back=back, fields=fields)


def _complete_effects(event):
    counts = selectors.registration_counts(event)
    return [
        ngettext(
            "%(n)d person registered but not checked in will be recorded as not come.",
            "%(n)d people registered but not checked in will be recorded as not come.",
            counts["confirmed"],
        )
        % {"n": counts["confirmed"]},
        ngettext(
            "%(n)d person who came will get a thank-you e-mail.",
            "%(n)d people who came will get a thank-you e-mail.",
            counts["attended"],
        )
        % {"n": counts["attended"]},
        _("This cannot be undone."),
    ]


def _cancel_effects(event):
    counts = selectors.registration_counts(event)
    told = counts["confirmed"] + counts["waitlisted"] if event.status == Event.Status.PUBLISHED else 0
    return [
        ngettext(
            "%(n)d registered or waiting person will get an e-mail that the event is cancelled.",
            "%(n)d registered or waiting people will get an e-mail that the event is cancelled.",
            told,
        )
        % {"n": told},
        _("This cannot be undone."),
    ]


@login_required
@require_POST
def event_status(request, pk, action):
    event = _host_event(request, pk)
    if action not in STATUS_ACTIONS:
        raise Http404("No such action.")
    service, manager_only, message = STATUS_ACTIONS[action]
    if manager_only and not is_manager(request.user, event.community):
        raise Http404("No such action.")
    if action == "complete":
        title = _("Complete “%(title)s”?") % {"title": event.title}
        page = _confirm_first(
            request, event, title=title, effects=_complete_effects(event), button=_("Complete the event")
        )
        if page is not None:
            return page
    try:
        service(event, request.user, request.POST)
        messages.success(request, message)
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect("events:manage", pk=event.pk)


@login_required
@require_POST
def event_decline(request, pk):
    event = _host_event(request, pk)
    if not is_manager(request.user, event.community):
        raise Http404("No such action.")
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise EventError(_("Tell the host why, so they can change the proposal."))
        services.event_decline(event=event, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The proposal is declined and the host has your reason."))
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect("events:manage", pk=event.pk)


@login_required
@require_POST
def event_cancel(request, pk):
    event = _host_event(request, pk)
    title = _("Cancel “%(title)s”?") % {"title": event.title}
    page = _confirm_first(
        request, event, title=title, effects=_cancel_effects(event), button=_("Cancel the event"), fields=["reason"]
    )
    if page is not None:
        return page
    form = CancelEventForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.event_cancel(event=event, by=request.user, reason=reason)
        messages.success(request, _("The event is cancelled; everyone registered is told."))
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect("events:manage", pk=event.pk)


@login_required
@require_POST
def question_add(request, pk):
    event = _host_event(request, pk)
    form = QuestionForm(request.POST)
    try:
        if not form.is_valid():
            raise EventError(" ".join(e for errors in form.errors.values() for e in errors))
        services.question_add(event=event, by=request.user, **form.cleaned_data)
        messages.success(request, _("The question is added to the registration form."))
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("events:manage", kwargs={"pk": event.pk}) + "#questions")


@login_required
@require_POST
def question_delete(request, pk, question_id):
    event = _host_event(request, pk)
    question = get_object_or_404(event.questions, pk=question_id)
    answered = event.registrations.filter(answers__has_key=question.label).count()
    page = _confirm_first(
        request,
        event,
        title=_("Remove the question “%(label)s”?") % {"label": question.label},
        effects=[
            _("It leaves the registration form."),
            ngettext(
                "%(n)d person answered it; the answer will no longer be shown or exported.",
                "%(n)d people answered it; their answers will no longer be shown or exported.",
                answered,
            )
            % {"n": answered},
        ],
        button=_("Remove the question"),
    )
    if page is not None:
        return page
    services.question_delete(event=event, by=request.user, question_id=question_id)
    return redirect(reverse("events:manage", kwargs={"pk": event.pk}) + "#questions")


@login_required
@require_POST
def registration_cancel_by_host(request, pk, registration_id):
    event = _host_event(request, pk)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).exists()
    effects = [
        _("%(name)s will get an e-mail that their registration is cancelled.") % {"name": registration.display_name}
    ]
    if waiting and registration.status == Registration.Status.CONFIRMED:
        effects.append(_("Their place goes to the first person on the waitlist, who is told by e-mail."))
    page = _confirm_first(
        request,
        event,
        title=_("Cancel %(name)s's registration?") % {"name": registration.display_name},
        effects=effects,
        button=_("Cancel the registration"),
    )
    if page is not None:
        return page
    try:
        services.registration_cancel(registration=registration, by=request.user)
        messages.success(request, _("The registration is cancelled and the person told."))
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect("events:manage", pk=event.pk)


@login_required
@require_GET
def registrations_csv(request, pk):
    event = _host_event(request, pk)
    labels = list(event.questions.values_list("label", flat=True))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Name"),
            _("E-mail"),
            _("Status"),
            _("Waitlist position"),
            _("Registered at"),
            _("Checked in at"),
            _("Walk-in"),
            *labels,
        ]
    )
    zone = event.zone
    for r in selectors.event_registrations(event):
        answers = [_answer_text(r.answers.get(label, "")) for label in labels]
        writer.writerow(
            [
                _safe_cell(r.display_name),
                r.email,
                r.get_status_display(),
                r.position or "",
                r.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                r.checked_in_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
                _("Yes") if r.is_walk_in else "",
                *answers,
            ]
        )
    return response


def _answer_text(value):
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return _safe_cell(str(value))


def _safe_cell(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# ---------------------------------------------------------------- check-in at the door


@login_required
@require_GET
def check_in(request, pk):
    event = _host_event(request, pk)
    registrations = (
        selectors.event_registrations(event)
        .filter(status__in=CHECK_IN_STATUSES)
        .order_by("guest_name", "user__name", "pk")
    )
    registrations = sorted(registrations, key=lambda r: r.display_name.lower())
    context = {"event": event, "registrations": registrations, "walk_in_form": WalkInForm(), **_check_in_counts(event)}
    return render(request, "events/check_in.html", context)


def _check_in_counts(event):
    counted = event.registrations.filter(status__in=CHECK_IN_STATUSES)
    return {"present": counted.filter(status=Registration.Status.ATTENDED).count(), "total": counted.count()}


@login_required
@require_POST
def check_in_toggle(request, pk, registration_id):
    event = _host_event(request, pk)
    registration = get_object_or_404(Registration.objects.select_related("user"), pk=registration_id, event=event)
    error = ""
    try:
        if registration.status == Registration.Status.ATTENDED:
            registration = services.registration_check_in_undo(registration=registration, by=request.user)
        else:
            registration = services.registration_check_in(registration=registration, by=request.user)
    except EventError as exc:
        error = str(exc)
    registration = Registration.objects.select_related("user").get(pk=registration.pk)
    if request.htmx:
        context = {"event": event, "registration": registration, "error": error, "oob": True, **_check_in_counts(event)}
        return render(request, "events/check_in.html#checkin-response", context)
    if error:
        messages.error(request, error)
    return redirect("events:check_in", pk=event.pk)


@login_required
@require_POST
def check_in_walk_in(request, pk):
    event = _host_event(request, pk)
    form = WalkInForm(request.POST)
    try:
        if not form.is_valid():
            raise EventError(" ".join(e for errors in form.errors.values() for e in errors))
        registration = services.registration_walk_in(event=event, by=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s is checked in.") % {"name": registration.display_name})
    except EventError as exc:
        messages.error(request, str(exc))
    return redirect("events:check_in", pk=event.pk)
