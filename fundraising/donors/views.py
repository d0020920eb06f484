"""The donors view for a community's managers (and the organisation's, for staff): list, person, CSV."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities.models import Membership
from communities.selectors import community_for_manager
from config.confirm import confirm_page, is_confirmed
from fundraising import services
from fundraising.donors import selectors
from fundraising.models import Subscription
from fundraising.money import money_format

CSV_FIELDS = ["email", "name", "currency", "first_gift", "last_gift", "total", "gifts", "recurring", "fundraisers"]


def _scope(request, slug):
    """The community whose donors these are, or None (every community) for staff without a slug."""
    if slug is None:
        if not request.user.is_staff:
            raise Http404("Only staff see the organisation's donors.")
        return None
    return community_for_manager(request.user, slug)


def _url(name, community, **kwargs):
    if community is None:
        return reverse(f"fundraising:org_{name}", kwargs=kwargs)
    return reverse(f"fundraising:{name}", kwargs={"slug": community.slug, **kwargs})


@login_required
@require_GET
def donor_list(request, slug=None):
    community = _scope(request, slug)
    filters = selectors.donor_filters_parse(request.GET)
    page = Paginator(selectors.donors(community=community, filters=filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in vars(filters).items() if v and not (k == "sort" and v == "last")})
    context = {
        "community": community,
        "tab": "donors",
        "page": page,
        "filters": filters,
        "query": query,
        "figures": selectors.recurring_figures(community=community),
        "csv_url": _url("donors_csv", community) + (f"?{query}" if query else ""),
        "person_url": _url("donor_person", community),
        "recurring_choices": _recurring_choices(),
    }
    return render(request, "fundraising/donors/list.html", context)


def _recurring_choices():
    return [
        ("", _("All donors")),
        ("any", _("Monthly donors")),
        ("active", Subscription.Status.ACTIVE.label),
        ("past_due", Subscription.Status.PAST_DUE.label),
        ("paused", Subscription.Status.PAUSED.label),
        ("cancelled", Subscription.Status.CANCELLED.label),
        ("none", _("One-off only")),
    ]


@login_required
@require_GET
def donor_person(request, slug=None):
    community = _scope(request, slug)
    key = request.GET.get("key", "").strip().lower()
    gifts = list(selectors.donor_history(community=community, donor_key=key)[:500])
    if not key or not gifts:
        raise Http404("No such donor here.")
    member = _member_record(community, key)
    subscriptions = list(selectors.donor_subscriptions(community=community, donor_key=key))
    context = {
        "community": community,
        "tab": "donors",
        "key": key,
        "donor": gifts[0],
        "gifts": gifts,
        "subscriptions": [(s, _url("donor_cancel", community, pk=s.pk)) for s in subscriptions],
        "member": member,
        "list_url": _url("donors", community),
    }
    return render(request, "fundraising/donors/person.html", context)


def _member_record(community, key):
    if community is None or "@" not in key:
        return None
    return Membership.objects.filter(community=community, user__email__iexact=key).select_related("user").first()


@login_required
@require_POST
def donor_subscription_cancel(request, pk, slug=None):
    """A manager stops a donor's monthly gift (asked by phone, say); the donor is told by e-mail."""
    community = _scope(request, slug)
    subscription = get_object_or_404(Subscription, pk=pk)
    if community is not None and subscription.campaign.community_id != community.pk:
        raise Http404("Not a gift of this community.")
    back = _url("donor_person", community) + "?" + urlencode({"key": subscription.donor_key})
    if not is_confirmed(request) and subscription.status != Subscription.Status.CANCELLED:
        values = {
            "amount": money_format(subscription.amount, subscription.currency),
            "donor": subscription.donor_name or subscription.donor_email,
        }
        return confirm_page(
            request,
            title=_("Stop %(donor)s's monthly gift of %(amount)s?") % values,
            effects=[
                _("No more monthly charges will be made; gifts already made stay."),
                _("The donor will get an e-mail that the monthly gift is stopped."),
                _("Only the donor can start it again, by giving anew."),
            ],
            button=_("Stop the monthly gift"),
            back=back,
        )
    try:
        services.subscription_cancel(subscription=subscription, by=request.user, reason=_("Stopped by a manager."))
        messages.success(request, _("The monthly gift is stopped; the donor has been told by e-mail."))
    except services.FundraisingError as exc:
        messages.error(request, str(exc))
    return redirect(back)


class _Echo:
    def write(self, value):
        return value


def _csv_safe(text):
    return f"'{text}" if text and text[0] in "=+-@\t\r" else text


@login_required
@require_GET
def donors_csv(request, slug=None):
    community = _scope(request, slug)
    rows = selectors.donors(community=community, filters=selectors.donor_filters_parse(request.GET))
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_FIELDS)
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    row["email"],
                    _csv_safe(row["name"]),
                    row["currency"],
                    row["first_gift"].isoformat(),
                    row["last_gift"].isoformat(),
                    row["total"],
                    row["gifts"],
                    row["recurring"] or "",
                    _csv_safe(row["fundraisers"]),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = community.slug if community else "organisation"
    response["Content-Disposition"] = f'attachment; filename="donors-{name}.csv"'
    return response
