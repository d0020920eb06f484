"""Giving: the one-screen form, the provider's checkout, callbacks, the thank-you page."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fundraising import selectors, services
from fundraising.forms import GiveForm, SandboxRefundForm
from fundraising.models import Donation, SandboxPayment
from fundraising.money import from_minor_units
from fundraising.providers import PROVIDERS, get_provider, provider_is_test, sandbox_allowed
from fundraising.providers.base import PaymentProvider
from fundraising.throttle import give_rate_limited

logger = logging.getLogger(__name__)


def give(request, kind, slug):
    campaign, fundraiser = _give_target(request.user, kind, slug)
    initial = _give_initial(request, campaign, fundraiser)
    form = GiveForm(request.POST or None, campaign=campaign, fundraiser=fundraiser, user=request.user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        if give_rate_limited(request):
            form.add_error(None, _("Too many attempts from your network. Please wait a few minutes."))
            status = 429
        else:
            try:
                return redirect(_give_start(request, campaign, fundraiser, form.cleaned_data))
            except services.FundraisingError as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "fundraising/give.html",
        {
            "campaign": campaign,
            "fundraiser": fundraiser,
            "form": form,
            "is_test": provider_is_test(),
        },
        status=status,
    )


def _give_initial(request, campaign, fundraiser):
    """What the form starts with: the gift that did not go through (?again=<key>), else the account's name."""
    initial = {"frequency": request.GET.get("frequency", "once"), "day": timezone.localdate().day}
    earlier = selectors.donation_to_retry(request.GET.get("again"), campaign, fundraiser)
    if earlier is not None:
        amount = format(earlier.amount.normalize(), "f")
        preset = f"{earlier.amount:.2f}" in campaign.suggested_amounts
        if earlier.subscription is not None:  # a monthly gift's first payment: monthly again, same day
            initial |= {"frequency": "monthly", "day": earlier.subscription.day}
        return initial | {
            "preset": f"{earlier.amount:.2f}" if preset else "",
            "amount": "" if preset else amount,
            "name": earlier.donor_name,
            "email": earlier.donor_email,
            "anonymous": earlier.anonymous,
            "message": earlier.message,
            "message_private": earlier.message_private,
            "dedication_kind": earlier.dedication_kind,
            "dedication_name": earlier.dedication_name,
        }
    if request.user.is_authenticated:
        initial.update(name=request.user.name, email=request.user.email)
    return initial


def _give_start(request, campaign, fundraiser, data):
    """Start a one-off or a monthly gift; returns the provider's checkout URL."""
    common = {
        "campaign": campaign,
        "fundraiser": fundraiser,
        "amount": data["value"],
        "donor": data,
        "user": request.user,
        "language": translation.get_language(),
    }
    if data.get("frequency") == "monthly":
        _subscription, checkout_url = services.subscription_start(day=data["day"], **common)
    else:
        _donation, checkout_url = services.donation_start(**common)
    return checkout_url


def _give_target(user, kind, slug):
    if kind not in ("campaign", "fundraiser"):
        raise Http404("Nothing to give to here.")
    if kind == "fundraiser":
        fundraiser = selectors.fundraiser_for_viewer(user, slug)
        if not (fundraiser.is_active and fundraiser.campaign.is_active):
            raise Http404("This fundraiser is not taking donations.")
        return fundraiser.campaign, fundraiser
    campaign = selectors.campaign_for_viewer(user, slug)
    if not campaign.is_active:
        raise Http404("This campaign is not taking donations.")
    return campaign, None


def thanks(request, key):
    return render(request, "fundraising/thanks.html", _thanks_context(key))


def thanks_status(request, key):
    """The thank-you page's live part (htmx polls it until the payment is confirmed)."""
    return render(request, "fundraising/_thanks_status.html", _thanks_context(key))


def _thanks_context(key):
    donation = get_object_or_404(
        Donation.objects.select_related("campaign", "fundraiser", "subscription"), idempotency_key=key
    )
    target = donation.fundraiser or donation.campaign
    return {
        "donation": donation,
        "campaign": donation.campaign,
        "target": target,
        "share_url": settings.SITE_URL + target.get_absolute_url(),
        "retry_url": PaymentProvider.retry_path(donation),
    }


def sandbox_checkout(request, reference):
    """The sandbox provider's hosted page: pay or fail a test payment, or refund a paid one (as from a
    provider's dashboard). No money moves. Absent (404) where the sandbox is not allowed."""
    if not sandbox_allowed():
        raise Http404("The sandbox is off on this site.")
    payment = get_object_or_404(SandboxPayment, reference=reference)
    callback_url = request.build_absolute_uri(reverse("fundraising:callback", kwargs={"provider": "sandbox"}))
    refund_form = SandboxRefundForm(request.POST if request.POST.get("outcome") == "refund" else None)
    if request.method == "POST" and request.POST.get("outcome") == "refund_fail":
        try:
            services.sandbox_refund_fail(
                reference=reference, refund_reference=request.POST.get("refund", ""), callback_url=callback_url
            )
            messages.success(request, _("The test refund now failed; the sandbox is telling Kindred."))
        except services.FundraisingError:
            messages.error(request, _("No such test refund."))
        return redirect("fundraising:sandbox_checkout", reference=reference)
    if request.method == "POST" and request.POST.get("outcome") != "refund":
        services.sandbox_payment_complete(
            reference=reference,
            succeed=request.POST.get("outcome") == "succeed",
            card_fails=request.POST.get("card_fails") == "on",
            callback_url=callback_url,
        )
        return redirect(payment.return_url)
    if refund_form.is_bound and refund_form.is_valid():
        try:
            services.sandbox_refund(
                reference=reference,
                amount=refund_form.cleaned_data["amount"],
                callback_url=callback_url,
                language=translation.get_language(),
            )
            messages.success(request, _("The test refund is made; the sandbox is telling Kindred."))
            return redirect("fundraising:sandbox_checkout", reference=reference)
        except services.FundraisingError as exc:
            refund_form.add_error("amount", str(exc))
    context = {"payment": payment, "amount": payment_amount(payment), "refund_form": refund_form}
    context["refunds"] = [(r, from_minor_units(r.amount_minor, r.currency)) for r in payment.refunds.all()]
    return render(request, "fundraising/sandbox_checkout.html", context)


def payment_amount(payment):
    return from_minor_units(payment.amount_minor, payment.currency)


@csrf_exempt
@require_POST
def callback(request, provider):
    """A provider's webhook: verified, then the provider is asked for the payment's real state."""
    if provider not in PROVIDERS or (provider == "sandbox" and not sandbox_allowed()):
        raise Http404("Unknown provider.")
    try:
        outcome = services.payment_callback_process(provider=get_provider(provider), request=request)
    except services.CallbackInvalid as exc:
        logger.warning("%s callback refused: %s", provider, exc)
        return HttpResponseBadRequest("invalid callback")
    except services.UnknownPayment as exc:
        logger.warning("%s callback ignored: %s", provider, exc)
        return HttpResponse("unknown payment", status=404)
    except services.UnknownRefund as exc:
        logger.warning("%s callback refused: %s", provider, exc)
        return HttpResponseBadRequest("unknown refund")
    except services.PaymentMismatch:
        return HttpResponseBadRequest("amount or currency mismatch")
    except services.ProviderUnavailable:
        return HttpResponse("provider unavailable, retry later", status=503)
    return JsonResponse({"outcome": outcome})
