import contextlib
import zoneinfo

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import services


class UserPreferencesMiddleware:
    """Speak the signed-in person's language and show times in their time zone.

    Runs after authentication; anonymous visitors keep what LocaleMiddleware chose (cookie,
    then the browser's Accept-Language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        timezone.deactivate()
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
        return self.get_response(request)


# Pages a person who must set up two-factor sign-in may still open: the setup itself, signing out.
MFA_OPEN_PREFIXES = ("/accounts/", "/static/", "/media/", "/healthz", "/i18n/", "/api/")


class TwoFactorRequiredMiddleware:
    """Staff and community managers must turn on two-factor sign-in (allauth.mfa) within the grace period.

    During it, pages remind them once a session; after it, every page (but the setup, signing out and
    the API, which uses tokens) leads to the two-factor page (an authenticator app or a security key).
    Reads only the user row.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.mfa_enabled:
            return self.get_response(request)
        if user.is_staff and user.mfa_due_at is None:
            services.user_mfa_require(user=user)
        if user.mfa_due_at is None or request.path.startswith(MFA_OPEN_PREFIXES):
            return self.get_response(request)
        if timezone.now() >= user.mfa_due_at:
            messages.warning(request, _("Turn on two-factor sign-in to go on: your role needs it."))
            return redirect(reverse("mfa_index"))  # an authenticator app or a security key, as they choose
        if not request.session.get("mfa_reminded"):
            request.session["mfa_reminded"] = True
            day = date_format(timezone.localtime(user.mfa_due_at), "j E Y")
            messages.info(request, _("Please turn on two-factor sign-in by %(day)s.") % {"day": day})
        return self.get_response(request)
