"""Campaign managers' pages: campaigns, updates, donations, offline gifts, refunds, hiding fundraisers."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communities.models import Community
from communities.selectors import communities_managed_by, community_for_manager
from config.confirm import confirm_page, is_confirmed
from fundraising import selectors, services
from fundraising.forms import CampaignForm, HideForm, OfflineDonationForm, RefundForm, UpdateForm
from fundraising.models import Donation
from fundraising.money import money_format
from members.models import AuditEntry
from members.services import audit_record


@login_required
def campaigns(request):
    campaigns = selectors.campaigns_with_money(selectors.campaigns_managed_by(request.user)).order_by("-created_at")
    communities = Community.objects.all() if request.user.is_staff else communities_managed_by(request.user)
    return render(request, "fundraising/manage_campaigns.html", {"campaigns": campaigns, "communities": communities})


@login_required
def campaign_create(request, community):
    community = community_for_manager(request.user, community)
    form = CampaignForm(request.POST or None, request.FILES or None, initial={"suggested": "500 1000 3000"})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(community=community, actor=request.user, data=form.service_data())
            return redirect("fundraising:manage_campaign", slug=campaign.slug)
        except services.FundraisingError as exc:
            form.add_error(None, str(exc))
    return render(request, "fundraising/campaign_form.html", {"form": form, "community": community})


@login_required
def campaign_manage(request, slug):
    campaign = selectors.campaign_for_manager(request.user, slug)
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_edit(campaign=campaign, actor=request.user, data=form.service_data())
            messages.success(request, _("Saved."))
            return redirect("fundraising:manage_campaign", slug=campaign.slug)
        except services.FundraisingError as exc:
            form.add_error(None, str(exc))
    fundraisers = campaign.fundraisers.select_related("owner", "team").order_by("-raised_amount")[:200]
    return render(
        request,
        "fundraising/campaign_manage.html",
        {
            "campaign": campaign,
            "form": form,
            "fundraisers": fundraisers,
            "hide_form": HideForm(),
            "money": selectors.campaign_money(campaign),
        },
    )


@login_required
def campaign_update_new(request, slug):
    campaign = selectors.campaign_for_manager(request.user, slug)
    form = UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.campaign_update_post(campaign=campaign, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your update is published."))
        return redirect(campaign)
    return render(request, "fundraising/update_form.html", {"form": form, "target": campaign})


@login_required
@require_POST
def campaign_end(request, slug):
    campaign = selectors.campaign_for_manager(request.user, slug)
    if not is_confirmed(request) and campaign.status == campaign.Status.ACTIVE:
        return _confirm_end(request, campaign)
    try:
        services.campaign_end_by_manager(campaign=campaign, actor=request.user)
        messages.success(request, _("The campaign has ended; its donors are being told."))
    except services.FundraisingError as exc:
        messages.error(request, str(exc))
    return redirect("fundraising:manage_campaign", slug=slug)


def _confirm_end(request, campaign):
    donors, monthly = selectors.campaign_end_reach(campaign)
    effects = [
        ngettext(
            "%(n)d donor will get an e-mail that the campaign has ended.",
            "%(n)d donors will get an e-mail that the campaign has ended.",
            donors,
        )
        % {"n": donors},
        ngettext(
            "%(n)d monthly gift to it will move to the general fund or stop; its donor is told.",
            "%(n)d monthly gifts to it will move to the general fund or stop; their donors are told.",
            monthly,
        )
        % {"n": monthly},
        _("Nobody can give to it any more. This cannot be undone."),
    ]
    return confirm_page(
        request,
        title=_("End “%(title)s”?") % {"title": campaign.title},
        effects=effects,
        button=_("End the campaign"),
        back=reverse("fundraising:manage_campaign", args=[campaign.slug]),
    )


def _donations_filtered(campaign, params):
    donations = selectors.donations_for_campaign_manager(campaign).order_by("-created_at")
    if params.get("status") in Donation.Status.values:
        donations = donations.filter(status=params["status"])
    if query := params.get("q", "").strip():
        donations = donations.filter(Q(donor_name__icontains=query) | Q(donor_email__icontains=query))
    return donations


@login_required
def donations(request, slug):
    campaign = selectors.campaign_for_manager(request.user, slug)
    page = Paginator(_donations_filtered(campaign, request.GET), 50).get_page(request.GET.get("page"))
    awaiting = selectors.donations_for_campaign_manager(campaign).filter(offline=True, status=Donation.Status.PENDING)
    return render(
        request,
        "fundraising/donations_manage.html",
        {
            "campaign": campaign,
            "page": page,
            "statuses": Donation.Status.choices,
            "refund_form": RefundForm(currency=campaign.currency),
            "awaiting": awaiting.order_by("created_at")[:100],
            "query": request.GET.get("q", ""),
            "status": request.GET.get("status", ""),
        },
    )


class _Echo:
    def write(self, value):
        return value


CSV_FIELDS = [
    "id",
    "created_at",
    "succeeded_at",
    "status",
    "amount",
    "refunded_amount",
    "currency",
    "donor_name",
    "donor_email",
    "anonymous",
    "message",
    "fundraiser",
    "team",
    "provider",
    "provider_reference",
    "offline",
]


@login_required
def donations_csv(request, slug):
    campaign = selectors.campaign_for_manager(request.user, slug)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.LIST_DOWNLOADED,
        community=campaign.community,
        target=campaign,
        summary="donations CSV",
    )
    rows = _donations_filtered(campaign, request.GET).iterator(chunk_size=1000)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_FIELDS)
        for d in rows:
            yield writer.writerow(
                [
                    d.pk,
                    d.created_at.isoformat(),
                    d.succeeded_at.isoformat() if d.succeeded_at else "",
                    d.status,
                    d.amount,
                    d.refunded_amount,
                    d.currency,
                    _csv_safe(d.donor_name),
                    _csv_safe(d.donor_email),
                    d.anonymous,
                    _csv_safe(d.message),
                    _csv_safe(d.fundraiser.title if d.fundraiser else ""),
                    _csv_safe(d.team.name if d.team else ""),
                    d.provider,
                    _csv_safe(d.provider_reference),
                    d.offline,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="donations-{campaign.slug}.csv"'
    return response


def _csv_safe(text):
    """Spreadsheets run cells that start with = + - @ (or a tab or carriage return before them) as
    formulas; a quote keeps them text. Every typed text goes through it: names, messages, titles, reasons."""
    text = "" if text is None else str(text)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


REFUND_CSV_FIELDS = [
    "refund",
    "donation",
    "asked_at",
    "confirmed_at",
    "failed_after_made_at",
    "state",
    "origin",
    "amount",
    "currency",
    "reason",
    "by",
    "donor_name",
    "donor_email",
    "donation_amount",
    "fundraiser",
    "provider",
    "provider_reference",
]


@login_required
def refunds_csv(request, slug):
    """Every refund of the campaign's gifts, one row each (succeeded, pending or failed), oldest first."""
    campaign = selectors.campaign_for_manager(request.user, slug)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.LIST_DOWNLOADED,
        community=campaign.community,
        target=campaign,
        summary="refunds CSV",
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(REFUND_CSV_FIELDS)
        for refund in selectors.campaign_refunds(campaign).iterator(chunk_size=1000):
            yield writer.writerow(_refund_row(refund))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refunds-{campaign.slug}.csv"'
    return response


def _refund_row(refund):
    donation = refund.donation
    return [
        refund.pk,
        donation.pk,
        refund.created_at.isoformat(),
        refund.confirmed_at.isoformat() if refund.confirmed_at else "",
        refund.reversed_at.isoformat() if refund.reversed_at else "",
        refund.state,
        refund.origin,
        refund.amount,
        refund.currency,
        _csv_safe(refund.reason),
        _csv_safe(refund.actor.email if refund.actor else ""),
        _csv_safe(donation.donor_name),
        _csv_safe(donation.donor_email),
        donation.amount,
        _csv_safe(donation.fundraiser.title if donation.fundraiser else ""),
        refund.provider,
        _csv_safe(refund.provider_reference),
    ]


@login_required
def offline_new(request, slug):
    campaign = selectors.campaign_for_manager(request.user, slug)
    form = OfflineDonationForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.donation_record_offline(
                campaign=campaign, actor=request.user, language=translation.get_language(), **form.cleaned_data
            )
            messages.success(request, _("The donation is recorded and counted."))
            return redirect("fundraising:manage_donations", slug=slug)
        except services.FundraisingError as exc:
            form.add_error("amount" if isinstance(exc, services.AmountInvalid) else None, str(exc))
    return render(
        request,
        "fundraising/offline_form.html",
        {"form": form, "campaign": campaign},
    )


@login_required
def refund(request, slug, donation_id):
    """A donation for its campaign's managers: its history, its refunds, and a refund through the provider."""
    campaign = selectors.campaign_for_manager(request.user, slug)
    donation = get_object_or_404(campaign.donations.select_related("campaign__community", "fundraiser"), pk=donation_id)
    form = RefundForm(request.POST or None, currency=donation.currency)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"] or donation.refundable_amount
        if amount > donation.refundable_amount:
            form.add_error("amount", _("At most %(amount)s can still be refunded.") % {"amount": _money(donation)})
        elif not is_confirmed(request):
            return _confirm_refund(request, campaign, donation, amount)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.refund_request(donation=donation, by=request.user, **form.cleaned_data)
            if made.state == made.State.SUCCEEDED:
                messages.success(request, _("The refund is made; the donor is told by e-mail."))
            elif made.state == made.State.FAILED:
                messages.error(request, _("The payment service did not make the refund. Nothing was refunded."))
            else:
                messages.info(
                    request, _("The refund is asked of the payment service; it counts once the service confirms it.")
                )
            return redirect("fundraising:refund", slug=slug, donation_id=donation.pk)
        except services.FundraisingError as exc:
            form.add_error("amount" if isinstance(exc, services.AmountInvalid) else None, str(exc))
    return render(
        request,
        "fundraising/refund_form.html",
        {
            "form": form,
            "campaign": campaign,
            "donation": donation,
            "refunds": selectors.donation_refunds(donation),
            "changes": selectors.donation_history(donation),
        },
    )


def _money(donation, amount=None):
    return money_format(donation.refundable_amount if amount is None else amount, donation.currency)


def _confirm_refund(request, campaign, donation, amount):
    """Before money goes back: how much, to whom, and that the donor is told."""
    values = {"amount": _money(donation, amount), "donor": donation.donor_name or donation.donor_email or "—"}
    if donation.offline:
        way = _("%(amount)s will be recorded as handed back to %(donor)s; the totals go down at once.")
    else:
        way = _("%(amount)s will go back to %(donor)s through the payment service.")
    effects = [way % values]
    if donation.donor_email:
        effects.append(_("The donor will get an e-mail about the refund."))
    effects.append(_("A refund cannot be undone."))
    return confirm_page(
        request,
        title=_("Refund %(amount)s to %(donor)s?") % values,
        effects=effects,
        button=_("Refund %(amount)s") % values,
        back=reverse("fundraising:refund", args=[campaign.slug, donation.pk]),
        fields=["amount", "reason"],
    )


@login_required
@require_POST
def offline_decide(request, slug, donation_id, decision):
    """Confirm (it counts from now on) or reject an offline gift a fundraiser's owner recorded."""
    campaign = selectors.campaign_for_manager(request.user, slug)
    donation = get_object_or_404(campaign.donations.select_related("campaign__community"), pk=donation_id)
    if decision == "reject" and not is_confirmed(request):
        values = {"amount": _money(donation, donation.amount), "donor": donation.donor_name or "—"}
        return confirm_page(
            request,
            title=_("Turn down the gift of %(amount)s from %(donor)s?") % values,
            effects=[
                _("It will not count in the totals, and the fundraiser's owner sees it turned down."),
                _("This cannot be undone; a gift that did arrive can be recorded again."),
            ],
            button=_("Turn down the gift"),
            back=reverse("fundraising:manage_donations", args=[slug]),
        )
    decide = services.donation_offline_confirm if decision == "confirm" else services.donation_offline_reject
    try:
        decide(donation=donation, actor=request.user)
    except services.FundraisingError as exc:
        messages.error(request, str(exc))
    else:
        done = _("The gift is confirmed and counted.") if decision == "confirm" else _("The gift is turned down.")
        messages.success(request, done)
    return redirect("fundraising:manage_donations", slug=slug)


def _fundraiser_for_manager(user, slug):
    fundraiser = selectors.fundraiser_for_viewer(user, slug)
    if not selectors.can_see_private(user, campaign=fundraiser.campaign):
        raise Http404("No such fundraiser.")
    return fundraiser


@login_required
@require_POST
def fundraiser_hide(request, slug):
    fundraiser = _fundraiser_for_manager(request.user, slug)
    form = HideForm(request.POST)
    if form.is_valid() and not is_confirmed(request):
        owner = fundraiser.owner.name or fundraiser.owner.email
        return confirm_page(
            request,
            title=_("Hide “%(title)s”?") % {"title": fundraiser.title},
            effects=[
                _("Its page leaves the public pages and takes no more donations; gifts already made still count."),
                _("%(owner)s will get your reason by e-mail.") % {"owner": owner},
                _("You can show it again later."),
            ],
            button=_("Hide the fundraiser"),
            back=reverse("fundraising:manage_campaign", args=[fundraiser.campaign.slug]),
            fields=["reason"],
        )
    if form.is_valid():
        services.fundraiser_hide(fundraiser=fundraiser, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The fundraiser is hidden and its owner is told why."))
    else:
        messages.error(request, _("Say why the fundraiser is hidden."))
    return redirect("fundraising:manage_campaign", slug=fundraiser.campaign.slug)


@login_required
@require_POST
def fundraiser_unhide(request, slug):
    fundraiser = _fundraiser_for_manager(request.user, slug)
    services.fundraiser_unhide(fundraiser=fundraiser, actor=request.user)
    return redirect("fundraising:manage_campaign", slug=fundraiser.campaign.slug)
