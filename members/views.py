from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from members import services
from members.forms import PreferencesForm, supported_language


@login_required
def account(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(
            user=request.user,
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
        )
        messages.success(request, _("Your preferences are saved."))
        response = redirect("members:account")
        response.set_cookie("django_language", request.user.language, samesite="Lax")
        return response
    return render(request, "members/account.html", {"form": form})


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
