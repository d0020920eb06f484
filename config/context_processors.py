from django.conf import settings

from communities import navigation


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "DEBUG": settings.DEBUG,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "MANAGES": navigation.manages(request),
    }
