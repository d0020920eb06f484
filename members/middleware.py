import contextlib
import zoneinfo

from django.utils import timezone, translation


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
