"""The check-in queue (/c/<slug>/manage/checkins/), the onboarding e-mails a manager edits, and the
pages a member lands on from the weekly check-in's reply buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import selectors, selectors_public
from communities.crm.services.contacts import CrmInputError
from communities.routine import selectors as selectors_checkins
from communities.routine.forms import AssignForm, LogCallForm, OnboardingStepForm, ReplyNoteForm, SnoozeForm
from communities.routine.services import checkin_messages, checkins, onboarding
from communities.services import CommunityError

PAGE_SIZE = 30


def _render(request, template, community, tab, **context):
    context.update(community=community, tab=tab, pending_count=selectors_public.pending_count(community))
    return render(request, template, context)


@login_required
def checkin_queue(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    mine = request.GET.get("mine") == "1"
    q = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:100]
    people = selectors_checkins.queue_people(community, assigned_to=request.user if mine else None, q=q)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors_checkins.queue_rows(community, page.object_list),
        "mine": mine,
        "q": q,
        "managers": selectors_checkins.managers_of(community),
        "snoozed": selectors_checkins.snoozed_count(community),
        "log_form": LogCallForm(),
        "snooze_form": SnoozeForm(),
    }
    return _render(request, "communities/checkins/queue.html", community, "checkins", **context)


def _row(request, community, entry, **context):
    """The person's row again after an action (htmx swaps it whole: every reason of theirs goes with it)."""
    rows = selectors_checkins.queue_rows(community, [{"membership_id": entry.membership_id}])
    row = rows[0] if rows else selectors_checkins.QueueRow(entry=entry, entries=[entry])
    context.update(community=community, row=row, entry=row.entry, managers=selectors_checkins.managers_of(community))
    context.setdefault("log_form", LogCallForm())
    context.setdefault("snooze_form", SnoozeForm())
    return render(request, "communities/checkins/queue.html#entry", context)


def _after(request, community, entry, **context):
    if request.htmx:
        return _row(request, community, entry, **context)
    if context.get("error"):
        messages.error(request, context["error"])
    elif context.get("done"):
        messages.success(request, context["done"])
    return redirect("communities:checkin_queue", slug=community.slug)


@require_POST
@login_required
def checkin_log_call(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    entry = selectors_checkins.entry_in(community, pk)
    form = LogCallForm(request.POST)
    if not form.is_valid():
        return _after(request, community, entry, log_form=form, open_form="log", error=_("Check the call's details."))
    try:
        checkins.checkin_entry_log_call(entry=entry, actor=request.user, **form.cleaned_data)
    except CrmInputError as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _after(request, community, entry, log_form=form, open_form="log", error=str(exc))
    except CommunityError as exc:
        return _after(request, community, entry, error=str(exc))
    return _after(
        request, community, entry, done=_("Call logged. %(name)s left the queue.") % {"name": entry.membership.user}
    )


@require_POST
@login_required
def checkin_snooze(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    entry = selectors_checkins.entry_in(community, pk)
    form = SnoozeForm(request.POST)
    try:
        if not form.is_valid():
            raise CommunityError(_("Choose a day after today."))
        entry = checkins.checkin_entry_snooze(entry=entry, until=form.cleaned_data["until"], actor=request.user)
    except CommunityError as exc:
        return _after(request, community, entry, snooze_form=form, open_form="snooze", error=str(exc))
    return _after(request, community, entry, done=_("Snoozed until %(date)s.") % {"date": entry.snoozed_until})


@require_POST
@login_required
def checkin_assign(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    entry = selectors_checkins.entry_in(community, pk)
    form = AssignForm(request.POST, managers=selectors_checkins.managers_of(community))
    try:
        if not form.is_valid():
            raise CommunityError(_("Choose one of the community's managers."))
        entry = checkins.checkin_entry_assign(entry=entry, manager_id=form.cleaned_data["manager"], actor=request.user)
    except CommunityError as exc:
        return _after(request, community, entry, error=str(exc))
    return _after(request, community, entry, assigned=True)


@login_required
def onboarding_steps(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    steps = onboarding.onboarding_steps_for(community)
    cards = [(week, step, _step_form(community, week, step)) for week, step in steps]
    return _render(request, "communities/checkins/onboarding.html", community, "checkins", cards=cards)


def _step_form(community, week, step, data=None):
    if step is None:
        en = onboarding.step_content(step=None, week=week, community=community, language="en")
        ru = onboarding.step_content(step=None, week=week, community=community, language="ru")
        initial = {"enabled": True, "subject_en": en[0], "body_en": en[1], "subject_ru": ru[0], "body_ru": ru[1]}
        return OnboardingStepForm(data, initial=initial, prefix=f"w{week}")
    return OnboardingStepForm(data, instance=step, prefix=f"w{week}")


@require_POST
@login_required
def onboarding_step_edit(request, slug, week):
    community = selectors.community_for_manager(request.user, slug)
    if week not in onboarding.WEEKS:
        raise Http404("No onboarding e-mail for this week.")
    if request.POST.get("reset"):
        onboarding.onboarding_step_reset(community=community, week=week, actor=request.user)
        messages.success(request, _("The default text is back."))
        return redirect("communities:onboarding_steps", slug=community.slug)
    step = dict(onboarding.onboarding_steps_for(community)).get(week)
    form = _step_form(community, week, step, data=request.POST)
    if form.is_valid():
        try:
            onboarding.onboarding_step_save(community=community, week=week, actor=request.user, **form.cleaned_data)
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The week %(week)s e-mail is saved.") % {"week": week})
        return redirect("communities:onboarding_steps", slug=community.slug)
    steps = onboarding.onboarding_steps_for(community)
    cards = [(w, s, form if w == week else _step_form(community, w, s)) for w, s in steps]
    return _render(request, "communities/checkins/onboarding.html", community, "checkins", cards=cards)


def checkin_reply(request, token, answer):
    """An answer from the e-mail's button: the link shows the answer, an optional note and one button.

    Only the button (a POST) records it, so a mail scanner opening the link answers nothing.
    """
    try:
        membership, _week = checkin_messages.reply_read(token)
        label = checkin_messages.answer_label(answer)
    except CommunityError as exc:
        return render(request, "communities/checkins/reply.html", {"error": str(exc)}, status=400)
    form = ReplyNoteForm(request.POST or None)
    recorded = request.method == "POST" and form.is_valid()
    if recorded:
        checkin_messages.checkin_reply_record(token=token, answer=answer)
        if form.cleaned_data["note"].strip():
            checkin_messages.checkin_reply_note(token=token, answer=answer, note=form.cleaned_data["note"])
    context = {"membership": membership, "answer": label, "form": form, "recorded": recorded}
    return render(request, "communities/checkins/reply.html", context)
