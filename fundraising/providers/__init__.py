"""Payment providers behind one interface; the deployment's one is chosen by PAYMENT_PROVIDER."""

from django.conf import settings
from django.utils.module_loading import import_string

PROVIDERS = {
    "sandbox": "fundraising.providers.sandbox.SandboxProvider",
    "stripe": "fundraising.providers.stripe.StripeProvider",
    "yookassa": "fundraising.providers.yookassa.YooKassaProvider",
}


def get_provider(name=None):
    """The provider called `name` (or the deployment's); KeyError for a name Kindred does not know."""
    return import_string(PROVIDERS[name or settings.PAYMENT_PROVIDER])()
