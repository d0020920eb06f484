"""Supporters' pages: open a fundraiser, edit it, post updates, see and thank donors, "My fundraising"."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.selectors import communities_managed_by
from events.models import Event
from fundraising import selectors, services
from fundraising.forms import FundraiserForm, FundraiserOpenForm, OwnerOfflineDonationForm, ThankForm, UpdateForm


def _events_for(campaign):
    """Published events of the campaign's community a fundraiser may be for."""
    return Event.objects.filter(community=campaign.community, status=Event.Status.PUBLISHED).order_by("starts_at")


@login_required
def fundraiser_open(request, slug):
    campaign = selectors.campaign_for_viewer(request.user, slug)
    team = campaign.teams.filter(slug=request.GET.get("team", "")).first()
    goal = min(campaign.goal, Decimal("20000")).quantize(Decimal("1"))
    initial = {"goal": goal, "story": campaign.story, "team": team}
    form = FundraiserOpenForm(
        request.POST or None, request.FILES or None, campaign=campaign, events=_events_for(campaign), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            fundraiser = services.fundraiser_open(campaign=campaign, owner=request.user, **form.cleaned_data)
            messages.success(request, _("Your fundraiser is open. Share it with friends!"))
            return redirect(fundraiser)
        except services.FundraisingError as exc:
            form.add_error(None, str(exc))
    return render(request, "fundraising/fundraiser_form.html", {"form": form, "campaign": campaign, "opening": True})


@login_required
def fundraiser_edit(request, slug):
    fundraiser = selectors.fundraiser_for_owner(request.user, slug)
    initial = {"title": fundraiser.title, "goal": fundraiser.goal, "story": fundraiser.story}
    form = FundraiserForm(
        request.POST or None, request.FILES or None, initial=initial, currency=fundraiser.campaign.currency
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.fundraiser_edit(fundraiser=fundraiser, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect(fundraiser)
        except services.FundraisingError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "fundraising/fundraiser_form.html",
        {"form": form, "campaign": fundraiser.campaign, "fundraiser": fundraiser},
    )


@login_required
def fundraiser_update_new(request, slug):
    fundraiser = selectors.fundraiser_for_owner(request.user, slug)
    form = UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.fundraiser_update_post(fundraiser=fundraiser, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your update is published."))
        return redirect(fundraiser)
    return render(request, "fundraising/update_form.html", {"form": form, "target": fundraiser})


@login_required
def fundraiser_donations(request, slug):
    fundraiser = selectors.fundraiser_for_owner(request.user, slug)
    # The owner's own offline gifts show while they wait for a manager; unpaid online ones never do.
    donations = fundraiser.donations.filter(
        Q(status__in=["succeeded", "refunded"]) | Q(status="pending", offline=True)
    ).order_by(F("succeeded_at").desc(nulls_first=True), "-created_at")
    page = Paginator(donations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fundraising/fundraiser_donations.html",
        {
            "fundraiser": fundraiser,
            "page": page,
            "thank_form": ThankForm(),
        },
    )


@login_required
def offline_record(request, slug):
    fundraiser = selectors.fundraiser_for_owner(request.user, slug)
    form = OwnerOfflineDonationForm(request.POST or None, campaign=fundraiser.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.donation_record_offline_by_owner(
                fundraiser=fundraiser, actor=request.user, language=translation.get_language(), **form.cleaned_data
            )
            messages.success(request, _("Recorded. It counts once the campaign's managers confirm it."))
            return redirect("fundraising:fundraiser_donations", slug=slug)
        except services.FundraisingError as exc:
            form.add_error("amount" if isinstance(exc, services.AmountInvalid) else None, str(exc))
    return render(request, "fundraising/owner_offline_form.html", {"form": form, "fundraiser": fundraiser})


@login_required
@require_POST
def donation_thank(request, slug, donation_id):
    fundraiser = selectors.fundraiser_for_owner(request.user, slug)
    donation = get_object_or_404(fundraiser.donations, pk=donation_id)
    form = ThankForm(request.POST)
    if form.is_valid():
        try:
            services.donation_thank(donation=donation, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Your thank-you is on its way."))
        except services.FundraisingError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Write a few words of thanks first."))
    return redirect("fundraising:fundraiser_donations", slug=slug)


@login_required
def mine(request):
    fundraisers = selectors.my_fundraisers(request.user)
    donations = selectors.my_donations(request.user)[:100]
    can_manage = request.user.is_staff or communities_managed_by(request.user).exists()
    return render(
        request, "fundraising/mine.html", {"fundraisers": fundraisers, "donations": donations, "can_manage": can_manage}
    )
