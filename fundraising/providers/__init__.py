"""Payment providers behind one interface; the deployment's one is chosen by PAYMENT_PROVIDER."""

from django.conf import settings
from django.utils.module_loading import import_string

PROVIDERS = {
    "sandbox": "fundraising.providers.sandbox.SandboxProvider",
    "stripe": "fundraising.providers.stripe.StripeProvider",
    "yookassa": "fundraising.providers.yookassa.YooKassaProvider",
}


def get_provider(name=None):
    """The provider called `name` (or the deployment's).

    Raises KeyError for a name Kindred does not know, and ProviderUnavailable for the sandbox on a
    site that did not allow it (``PAYMENT_SANDBOX_ALLOWED``; fundraising.checks refuses the deploy).
    """
    return import_string(PROVIDERS[name or settings.PAYMENT_PROVIDER])()


def provider_is_test(name=None) -> bool:
    """Whether the provider called `name` (or the deployment's) moves no money (KeyError if unknown)."""
    return import_string(PROVIDERS[name or settings.PAYMENT_PROVIDER]).is_test


def sandbox_allowed() -> bool:
    """Whether the sandbox's checkout and callbacks may act on this site."""
    return settings.PAYMENT_SANDBOX_ALLOWED
