from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from members import services
from members.forms import AccountDeleteForm, ProfileForm, supported_language
from members.models import ConsentRecord, OutboundMessage, User


@login_required
def account(request):
    # The form works on a copy, so a rejected value never shows in the page's header.
    form = ProfileForm(request.POST or None, request.FILES or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=request.user,
            changes=form.changes,
            avatar=form.cleaned_data["avatar"] or None,
            avatar_remove=form.cleaned_data["avatar_remove"],
        )
        messages.success(request, _("Your profile is saved."))
        response = redirect("members:account")
        response.set_cookie("django_language", request.user.language, samesite="Lax")
        return response
    consents = services.consents_current(user=request.user)
    consent_fields = [(form[name], consents.get(kind)) for name, kind in services.CONSENT_FIELDS.items()]
    personal = consents.get(ConsentRecord.Kind.PERSONAL_DATA)
    context = {"form": form, "consent_fields": consent_fields, "personal_data": personal}
    return render(request, "members/account.html", context)


@require_POST
def set_language(request):
    """Django's language switch, remembered on the person's profile when signed in."""
    language = supported_language(request.POST.get("language"))
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


@login_required
def api_token(request):
    from rest_framework.authtoken.models import Token

    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.user_api_token_revoke(user=request.user)
            messages.success(request, _("Your API token is revoked."))
        else:
            services.user_api_token_rotate(user=request.user)
            messages.success(request, _("A new API token is ready."))
        return redirect("members:api_token")
    token = Token.objects.filter(user=request.user).values_list("key", flat=True).first()
    return render(request, "members/api_token.html", {"token": token, "api_docs_url": reverse("api-docs")})


@login_required
def personal_data(request):
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(user=request.user, password=form.cleaned_data["password"])
        except services.MemberError as exc:
            form.add_error(None, str(exc))
        else:
            logout(request)
            messages.success(request, _("Your account and your data are deleted. Thank you for being with us."))
            return redirect("home")
    sole = services.communities_only_managed_by(request.user)
    return render(request, "members/personal_data.html", {"form": form, "sole_manager_of": sole})


@login_required
def personal_data_download(request):
    data = services.user_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="kindred-my-data.json"'
    return response


@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a session; the token is the proof
def unsubscribe(request, token):
    """One click from an e-mail turns off that kind of message; the page offers the full preferences."""
    try:
        person, category = services.unsubscribe_read(token)
    except services.MemberError as error:
        return render(request, "members/unsubscribe.html", {"error": error}, status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe_apply(token=token)
        done = True
    context = {"person": person, "category": OutboundMessage.Category(category).label, "done": done}
    return render(request, "members/unsubscribe.html", context)


def _outbox_enabled():
    """The development outbox exists only with DEBUG on: in production mail goes out and stays private."""
    if not settings.DEBUG:
        raise Http404("The outbox is for development only.")


def outbox(request):
    """Development: the e-mails of the ledger, newest first, to read instead of the worker's encoded output."""
    _outbox_enabled()
    rows = OutboundMessage.objects.only("pk", "to_email", "subject", "status", "created_at", "language", "template")
    return render(request, "members/outbox.html", {"rows": rows.order_by("-created_at", "-pk")[:200]})


def outbox_message(request, pk):
    _outbox_enabled()
    message = get_object_or_404(OutboundMessage, pk=pk)
    return render(request, "members/outbox_message.html", {"message": message})


def outbox_message_html(request, pk):
    """The message's HTML part as the mail client gets it; no script may run in it."""
    _outbox_enabled()
    message = get_object_or_404(OutboundMessage, pk=pk)
    response = HttpResponse(message.body_html or "<p>(no HTML part)</p>")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:"
    return response
