"""The message centre (/c/<slug>/manage/messages/): every e-mail sent in the community's name, its
state, and a resend for the failed ones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communities import selectors
from communities.routine import selectors as selectors_checkins
from communities.routine.forms import MessageFilterForm
from communities.routine.views.checkins import _render
from members.models import OutboundMessage
from members.services import messages_resend

PAGE_SIZE = 50


@login_required
def message_centre(request, slug):
    """Sendings first (one row per announcement, message or batch of reminders); a sending, a search
    or a state shows the e-mails one by one."""
    community = selectors.community_for_manager(request.user, slug)
    zone = selectors_checkins.community_zone(community)
    form = MessageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sending = form.sending() if form.is_valid() else None
    grouped = not (sending or filters.get("status") or filters.get("q"))
    if grouped:
        found = selectors_checkins.sendings_of(community, zone=zone)
    else:
        found = selectors_checkins.messages_of(
            community, status=filters.get("status", ""), q=filters.get("q", ""), sending=sending, zone=zone
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "grouped": grouped,
        "sending": sending,
        "query": query.urlencode(),
        "Status": OutboundMessage.Status,
    }
    return _render(request, "communities/messages/index.html", community, "messages", **context)


@require_POST
@login_required
def message_resend(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    # Only the community's own failed messages: another community's id resends nothing.
    ids = list(
        OutboundMessage.objects.filter(community=community, pk=pk, status=OutboundMessage.Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    count = messages_resend(ids=ids, actor=request.user)
    if count:
        text = ngettext("%(count)d message is queued again.", "%(count)d messages are queued again.", count)
        messages.success(request, text % {"count": count})
    else:
        messages.error(request, _("This message has not failed, so there is nothing to resend."))
    # Back to the same filters; re-encoded, so nothing but a query string of this page comes through.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(reverse("communities:message_centre", args=[community.slug]) + (f"?{query}" if query else ""))
