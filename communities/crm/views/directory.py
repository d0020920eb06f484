"""The member directory and the member page, for a community's managers (and staff)."""

import csv
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.crm.forms import ContactLogForm, DirectoryMessageForm, TagAddForm, add_service_errors
from communities.crm.selectors import (
    ACTIVITY_CHOICES,
    PAGE_SIZE,
    SORT_CHOICES,
    TIMELINE_PAGE_SIZE,
    community_tags,
    directory_filters_params,
    directory_filters_parse,
    directory_memberships,
    directory_message_progress,
    directory_selection,
    membership_for_manager,
    membership_timeline,
    timeline_entries,
)
from communities.crm.services import contacts as crm
from communities.models import Membership
from communities.selectors import community_for_manager
from communities.selectors_public import pending_count
from communities.services import CommunityError
from config.confirm import confirm_page, is_confirmed, wants_test
from members.models import AuditEntry
from members.services import audit_record


def _list_url(community, filters):
    query = urlencode(directory_filters_params(filters))
    url = reverse("communities:directory_list", kwargs={"slug": community.slug})
    return f"{url}?{query}" if query else url


def _is_htmx_for(request, target):
    # A history restore asks for the whole page (no target), so only a swap gets the partial.
    return request.htmx and not request.htmx.history_restore_request and request.htmx.target == target


@login_required
@require_GET
def directory_list(request, slug):
    community = community_for_manager(request.user, slug)
    filters = directory_filters_parse(request.GET).filters
    page = Paginator(directory_memberships(community=community, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    tags = community_tags(community)
    context = {
        "community": community,
        "pending_count": partial(pending_count, community),  # only the full page's tabs ask for it
        "filters": filters,
        "page": page,
        "tags": tags,
        "groups": _filter_groups(filters, tags),
        "chips": _active_chips(community, filters, tags),
        "sort_choices": SORT_CHOICES,
        "hidden_filters": directory_filters_params(filters),
        "export_query": urlencode(directory_filters_params(filters)),
    }
    template = "communities/directory/index.html"
    if _is_htmx_for(request, "directory-results"):
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _filter_groups(filters, tags):
    """The chip groups of the filter form: (field, legend, [(value, label, checked)])."""
    groups = [
        ("role", gettext_lazy("Role"), Membership.Role.choices, filters.roles),
        ("status", gettext_lazy("Status"), Membership.Status.choices, filters.statuses),
        ("stage", gettext_lazy("Stage"), Membership.Stage.choices, filters.stages),
        ("level", gettext_lazy("Engagement"), Membership.Level.choices, filters.levels),
        ("tag", gettext_lazy("Tags"), [(str(t.pk), t.name) for t in tags], [str(t) for t in filters.tags]),
        ("active", gettext_lazy("Last activity"), ACTIVITY_CHOICES, [filters.active]),
    ]
    return [
        {"name": name, "legend": legend, "options": [(v, label, v in chosen) for v, label in choices]}
        for name, legend, choices, chosen in groups
        if choices
    ]


def _active_chips(community, filters, tags):
    """The filters that are on, each with the link that turns it off."""
    tag_names = {t.pk: t.name for t in tags}
    labels = {
        "role": dict(Membership.Role.choices),
        "status": dict(Membership.Status.choices),
        "stage": dict(Membership.Stage.choices),
        "level": dict(Membership.Level.choices),
        "active": dict(ACTIVITY_CHOICES),
    }
    on = [
        ("role", filters.roles),
        ("status", filters.statuses),
        ("stage", filters.stages),
        ("level", filters.levels),
        ("active", [filters.active] if filters.active else []),
    ]
    chips = []
    url = reverse("communities:directory_list", kwargs={"slug": community.slug})
    for name, values in on:
        for value in values:
            rest = [v for v in values if v != value]
            query = urlencode(directory_filters_params(filters, **{name: rest}))
            chips.append({"label": labels[name][value], "url": f"{url}?{query}"})
    for tag in filters.tags:
        rest = [str(t) for t in filters.tags if t != tag]
        query = urlencode(directory_filters_params(filters, tag=rest))
        chips.append({"label": f"#{tag_names.get(tag, tag)}", "url": f"{url}?{query}"})
    return chips


def _selection(request, community):
    """What a bulk action applies to: the ticked ids, or everyone matching the filters it carries."""
    filters = directory_filters_parse(request.POST).filters
    everyone = request.POST.get("everyone") == "1"
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) < 12]
    selection = directory_selection(community=community, filters=filters, ids=ids, everyone=everyone)
    return filters, selection, bool(everyone or ids)


@login_required
@require_POST
def directory_tag(request, slug):
    community = community_for_manager(request.user, slug)
    filters, selection, chosen = _selection(request, community)
    if not chosen:
        messages.error(request, _("Tick the people to tag first."))
        return redirect(_list_url(community, filters))
    try:
        name = crm.tag_name_clean(request.POST.get("tag_name", ""))
    except CommunityError as error:
        messages.error(request, str(error))
        return redirect(_list_url(community, filters))
    if not is_confirmed(request):
        count = selection.count()
        effect = ngettext("%(n)d person will be tagged “%(tag)s”.", "%(n)d people will be tagged “%(tag)s”.", count) % {
            "n": count,
            "tag": name,
        }
        fields = [key for key in request.POST if key not in ("csrfmiddlewaretoken", "confirmed")]
        title = _("Tag %(n)d people?") % {"n": count}
        back = _list_url(community, filters)
        return confirm_page(request, title=title, effects=[effect], button=_("Tag them"), back=back, fields=fields)
    try:
        tag, count = crm.memberships_tag_bulk_add(
            community=community, memberships=selection, name=request.POST.get("tag_name", ""), actor=request.user
        )
    except CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Tagged %(count)s people with “%(tag)s”.") % {"count": count, "tag": tag.name})
    return redirect(_list_url(community, filters))


@login_required
@require_POST
def directory_message(request, slug):
    """Write to the selection: the first POST (from the directory) shows the form, the second sends."""
    community = community_for_manager(request.user, slug)
    filters, selection, chosen = _selection(request, community)
    if not chosen:
        messages.error(request, _("Tick the people to write to first."))
        return redirect(_list_url(community, filters))
    form = DirectoryMessageForm(request.POST if "send" in request.POST else None)
    recipients, opted_out = crm.directory_message_reach(community=community, memberships=selection)
    if form.is_valid() and not (recipients or opted_out):
        form.add_error(None, _("Nobody in the selection is an active member, so there is no one to write to."))
    elif form.is_valid():
        try:
            if wants_test(request) or not is_confirmed(request):
                return _message_confirm(request, community, selection, form, back=_list_url(community, filters))
            message_id, count = crm.directory_message_send(
                community=community, actor=request.user, memberships=selection, **form.cleaned_data
            )
        except crm.CrmInputError as error:
            add_service_errors(form, error)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            done = _("Your message is on its way to %(count)s people.") % {"count": recipients}
            messages.success(request, done)
            return redirect(_progress_url(community, message_id, count, filters))
    context = {
        "community": community,
        "pending_count": partial(pending_count, community),
        "form": form,
        "recipients": recipients,
        "opted_out": opted_out,
        "hidden_filters": directory_filters_params(filters),
        "ids": request.POST.getlist("ids"),
        "everyone": request.POST.get("everyone") == "1",
        "back_url": _list_url(community, filters),
    }
    return render(request, "communities/directory/message.html", context)


def _message_confirm(request, community, selection, form, *, back):
    """Before sending: how many get it and how many turned off news, a preview, and a test to oneself."""
    if wants_test(request):
        crm.directory_message_test(community=community, actor=request.user, **form.cleaned_data)
        messages.success(request, _("A test is on its way to %(email)s.") % {"email": request.user.email})
    recipients, opted_out = crm.directory_message_reach(community=community, memberships=selection)
    effects = [
        ngettext("%(n)d person will get this e-mail.", "%(n)d people will get this e-mail.", recipients)
        % {"n": recipients},
        ngettext(
            "%(n)d member of the selection has turned off news and will not get it.",
            "%(n)d members of the selection have turned off news and will not get it.",
            opted_out,
        )
        % {"n": opted_out},
    ]
    preview = format_html(
        '<p class="fw-semibold mb-2">{}</p><div class="kd-note">{}</div>',
        form.cleaned_data["subject"],
        mark_safe(linebreaks(form.cleaned_data["body"], autoescape=True)),  # noqa: S308 - escaped by linebreaks
    )
    fields = [name for name in request.POST if name not in ("csrfmiddlewaretoken", "confirmed", "test")]
    return confirm_page(
        request,
        title=_("Send “%(subject)s”?") % {"subject": form.cleaned_data["subject"]},
        effects=effects,
        button=_("Send"),
        back=back,
        fields=fields,
        preview=preview,
        test_button=_("Send me a test"),
        danger=False,
    )


def _progress_url(community, message_id, total, filters):
    # The way back keeps the directory's filters; the total is only shown.
    url = reverse("communities:directory_message_progress", args=[community.slug, message_id])
    return f"{url}?{urlencode({'total': total, 'back': urlencode(directory_filters_params(filters))})}"


@login_required
@require_GET
def directory_message_sent(request, slug, message_id):
    """A directory message on its way: a progress bar that htmx refreshes until every e-mail has gone."""
    community = community_for_manager(request.user, slug)
    total = request.GET.get("total", "")
    progress = directory_message_progress(community=community, message_id=message_id)
    total = int(total) if total.isdigit() and len(total) < 7 else progress["queued"]
    # A directory message is news: people who did not agree to news are recorded as skipped.
    done = progress["sent"] + progress["failed"] + progress["skipped"]
    back = directory_filters_parse(QueryDict(request.GET.get("back", ""))).filters
    context = {
        "community": community,
        "pending_count": partial(pending_count, community),
        "progress": progress,
        "total": max(total, progress["queued"]),
        "finished": total > 0 and done >= total,
        "back_url": _list_url(community, back),
    }
    template = "communities/directory/message_progress.html"
    if _is_htmx_for(request, "message-progress"):
        template += "#progress"
    return render(request, template, context)


class _Echo:
    """A file that hands back what is written, for csv.writer inside a streaming response."""

    def write(self, value):
        return value


def _cell(value):
    # Cells starting like a formula are run by spreadsheets; a leading apostrophe keeps them text.
    value = "" if value is None else str(value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_lines(memberships, header, labels, zone):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for m in memberships.iterator(chunk_size=500):
        row = [
            m.user.name,
            m.user.email,
            m.user.phone,
            m.user.city,
            labels["role"][m.role],
            labels["status"][m.status],
            labels["stage"][m.stage],
            "; ".join(t.name for t in m.tags.all()),
            labels["level"][m.engagement_level],
            timezone.localtime(m.last_activity_at, zone).strftime("%Y-%m-%d %H:%M") if m.last_activity_at else "",
            timezone.localtime(m.joined_at, zone).strftime("%Y-%m-%d") if m.joined_at else "",
        ]
        yield writer.writerow([_cell(v) for v in row])


@login_required
@require_http_methods(["GET", "POST"])
def directory_export(request, slug):
    """CSV of the filtered view (GET, a link) or of a selection (POST from the directory's bulk form)."""
    community = community_for_manager(request.user, slug)
    if request.method == "POST":
        _filters, memberships, _chosen = _selection(request, community)
    else:
        memberships = directory_memberships(community=community, filters=directory_filters_parse(request.GET).filters)
    # Labels and the time zone are fixed now: the rows are written after this view has returned.
    header = [
        _("Name"), _("E-mail"), _("Phone"), _("City"), _("Role"), _("Status"), _("Stage"), _("Tags"),
        _("Engagement"), _("Last activity"), _("Joined"),
    ]  # fmt: skip
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in [
            ("role", Membership.Role.choices),
            ("status", Membership.Status.choices),
            ("stage", Membership.Stage.choices),
            ("level", Membership.Level.choices),
        ]
    }
    audit_record(
        actor=request.user, action=AuditEntry.Action.LIST_DOWNLOADED, community=community, summary="members CSV"
    )
    lines = _csv_lines(memberships, header, labels, timezone.get_current_timezone())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{community.slug}-members-{stamp}.csv"'
    return response


def _member_context(request, community, membership, contact_form=None):
    page_number = request.GET.get("page", "1")
    page_number = max(int(page_number), 1) if page_number.isdigit() and len(page_number) < 6 else 1
    start = (page_number - 1) * TIMELINE_PAGE_SIZE
    # One row more than a page tells whether there is an older page, without counting.
    rows = list(membership_timeline(membership=membership)[start : start + TIMELINE_PAGE_SIZE + 1])
    return {
        "community": community,
        "pending_count": partial(pending_count, community),
        "membership": membership,
        "person": membership.user,
        "entries": timeline_entries(rows[:TIMELINE_PAGE_SIZE]),
        "next_page": page_number + 1 if len(rows) > TIMELINE_PAGE_SIZE else None,
        "contact_form": contact_form or ContactLogForm(),
        "tag_form": TagAddForm(),
        "tags": community_tags(community),
        "back_url": reverse("communities:directory_list", kwargs={"slug": community.slug}),
    }


@login_required
@require_GET
def directory_member(request, slug, membership_id):
    community = community_for_manager(request.user, slug)
    membership = membership_for_manager(community=community, membership_id=membership_id)
    if not _is_htmx_for(request, "timeline-more"):
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.PERSON_VIEWED,
            community=community,
            person=membership.user,
            target=membership,
        )
    context = _member_context(request, community, membership)
    template = "communities/directory/member.html"
    if _is_htmx_for(request, "timeline-more"):
        template += "#timeline"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def directory_member_contact(request, slug, membership_id):
    community = community_for_manager(request.user, slug)
    membership = membership_for_manager(community=community, membership_id=membership_id)
    form = ContactLogForm(request.POST)
    if form.is_valid():
        try:
            crm.contact_log_create(membership=membership, actor=request.user, **form.cleaned_data)
        except crm.CrmInputError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved in the contact log."))
            return redirect("communities:directory_member", slug=community.slug, membership_id=membership.pk)
    context = _member_context(request, community, membership, contact_form=form)
    return render(request, "communities/directory/member.html", context)


def _tags_response(request, community, membership, form=None):
    if not request.htmx:
        if form is not None and form.errors:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("communities:directory_member", slug=community.slug, membership_id=membership.pk)
    membership = membership_for_manager(community=community, membership_id=membership.pk)
    context = {
        "community": community,
        "membership": membership,
        "tag_form": form or TagAddForm(),
        "tags": community_tags(community),
    }
    return render(request, "communities/directory/member.html#tags", context)


@login_required
@require_POST
def directory_member_tag_add(request, slug, membership_id):
    community = community_for_manager(request.user, slug)
    membership = membership_for_manager(community=community, membership_id=membership_id)
    form = TagAddForm(request.POST)
    if form.is_valid():
        try:
            crm.membership_tag_add(membership=membership, name=form.cleaned_data["name"], actor=request.user)
        except crm.CrmInputError as error:
            add_service_errors(form, error)
        else:
            return _tags_response(request, community, membership)
    return _tags_response(request, community, membership, form=form)


@login_required
@require_POST
def directory_member_tag_remove(request, slug, membership_id, tag_id):
    community = community_for_manager(request.user, slug)
    membership = membership_for_manager(community=community, membership_id=membership_id)
    try:
        crm.membership_tag_remove(membership=membership, tag_id=tag_id, actor=request.user)
    except CommunityError as error:
        messages.error(request, str(error))
    return _tags_response(request, community, membership)
