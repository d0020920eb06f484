"""The donor's own page without an account: opened by a signed link (from a receipt or "find my gifts"),
remembered in the session; a signed-in donor sees the same for their account's e-mail."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fundraising import selectors, services
from fundraising.forms import DonorConsentsForm, DonorFindForm, SubscriptionChangeForm
from fundraising.models import Subscription
from fundraising.services.donor_consents import donor_consents_of, donor_consents_set
from fundraising.services.donor_links import DonorLinkInvalid, donor_link_send, donor_token_read
from fundraising.services.statements import statement_for, statement_pdf, statement_years
from fundraising.throttle import donor_find_rate_limited
from members.services import consents_given

SESSION_KEY = "fundraising_donor_email"


def donor_email(request):
    """The e-mail this visitor has proved: by a donor link in this session, or by their account."""
    email = request.session.get(SESSION_KEY)
    if email:
        return email
    if request.user.is_authenticated:
        return request.user.email.lower()
    return None


def donor_find(request):
    """ "Find my gifts": a link to the donor's page is e-mailed to the address typed."""
    form = DonorFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if donor_find_rate_limited(request, email):
            return render(request, "fundraising/donor_find.html", {"form": form, "limited": True}, status=429)
        donor_link_send(email=email, language=translation.get_language())
        return render(request, "fundraising/donor_find.html", {"sent_to": email})
    return render(request, "fundraising/donor_find.html", {"form": form}, status=400 if form.errors else 200)


def donor_link(request, token):
    """A signed link opens the page for its e-mail in this browser session, then drops the token from the URL."""
    try:
        email = donor_token_read(token)
    except DonorLinkInvalid as exc:
        return render(
            request, "fundraising/donor_find.html", {"form": DonorFindForm(), "link_error": str(exc)}, status=400
        )
    request.session.cycle_key()
    request.session[SESSION_KEY] = email
    year = request.GET.get("statement", "")
    if year.isdigit() and 2000 <= int(year) <= 2100:  # the link in the January e-mail downloads the year's PDF
        return redirect("fundraising:donor_statement", year=int(year))
    return redirect("fundraising:donor_page")


def donor_page(request):
    email = donor_email(request)
    if not email:
        return redirect("fundraising:donor_find")
    subscriptions = list(selectors.donor_subscriptions(email))
    context = {
        "email": email,
        "subscriptions": [
            (s, SubscriptionChangeForm(initial={"amount": s.amount, "day": s.day})) for s in subscriptions
        ],
        "gifts": selectors.donor_gifts(email)[:200],
        "statement_years": statement_years(email=email),
        "consents_form": DonorConsentsForm(initial=_consents_initial(request, email)),
    }
    return render(request, "fundraising/donor_page.html", context)


def _own_account(request, email):
    """The signed-in person when this page is their account's (their reports consent is the account's)."""
    user = request.user
    return user if user.is_authenticated and user.email.lower() == email else None


def _consents_initial(request, email):
    consent = donor_consents_of(email=email)
    account = _own_account(request, email)
    return {"reports": account.consent_reports if account else consent.reports, "statements": consent.statements}


@require_POST
def donor_consents(request):
    """The donor's answers from their page: monthly reports and the annual statement by e-mail."""
    email = donor_email(request)
    if not email:
        return redirect("fundraising:donor_find")
    form = DonorConsentsForm(request.POST)
    form.is_valid()  # two check boxes: always valid
    choices = {kind: bool(form.cleaned_data.get(kind)) for kind in ("reports", "statements")}
    account = _own_account(request, email)
    if account is not None:
        consents_given(user=account, choices={"reports": choices["reports"]}, source="donor-page")
    donor_consents_set(by_email=email, choices=choices, source="donor-page", language=translation.get_language())
    messages.success(request, _("Your choices are saved."))
    return redirect("fundraising:donor_page")


@require_POST
def donor_leave(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("fundraising:donor_find")


ACTIONS = {
    "pause": (services.subscription_pause, _("Your monthly gift is paused.")),
    "resume": (services.subscription_resume, _("Your monthly gift goes on.")),
    "cancel": (services.subscription_cancel, _("Your monthly gift is stopped. Thank you for your support!")),
}


@require_POST
def subscription_action(request, pk, action):
    """Pause, resume, stop, change or update the card of one of the donor's monthly gifts."""
    email = donor_email(request)
    if not email:
        return redirect("fundraising:donor_find")
    subscription = get_object_or_404(Subscription, pk=pk, donor_key=email)
    try:
        if action == "change":
            return _change(request, subscription, email)
        if action == "card":
            return redirect(services.subscription_card_update_start(subscription=subscription, by_email=email))
        if action not in ACTIONS:
            raise Http404("No such action.")
        service, done = ACTIONS[action]
        service(subscription=subscription, by_email=email)
        messages.success(request, done)
    except services.FundraisingError as exc:
        messages.error(request, str(exc))
    return redirect("fundraising:donor_page")


def _change(request, subscription, email):
    form = SubscriptionChangeForm(request.POST)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect("fundraising:donor_page")
    services.subscription_change(
        subscription=subscription, amount=form.cleaned_data["amount"], day=form.cleaned_data["day"], by_email=email
    )
    messages.success(request, _("Your monthly gift is changed from the next month on."))
    return redirect("fundraising:donor_page")


def donor_statement(request, year):
    """The donor's annual statement of gifts as a PDF (for a tax deduction)."""
    email = donor_email(request)
    if not email:
        return redirect("fundraising:donor_find")
    statement = statement_for(email=email, year=year)
    if not statement.gifts:
        raise Http404("No gifts in this year.")
    response = HttpResponse(
        statement_pdf(statement, language=translation.get_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="donations-{year}.pdf"'
    return response
