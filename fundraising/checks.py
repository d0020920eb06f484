"""System checks of the deployment's payment provider (run by `manage.py check --deploy`, which the
release step of config/deploy/entrypoint.sh runs with ``--fail-level WARNING``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from fundraising.providers import PROVIDERS

# The settings each real provider cannot work without.
PROVIDER_SETTINGS = {
    "stripe": ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
    "yookassa": ("YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY"),
}


@register(Tags.security, deploy=True)
def payment_provider_check(app_configs=None, **kwargs):
    """Errors when the provider is unknown, lacks its keys, or is the sandbox on a site that did not
    opt in to it with ``PAYMENT_SANDBOX_ALLOWED`` (anyone could mark a gift paid there)."""
    name = settings.PAYMENT_PROVIDER
    if name not in PROVIDERS:
        return [
            Error(
                f"PAYMENT_PROVIDER is {name!r}; Kindred knows {', '.join(sorted(PROVIDERS))}.",
                id="fundraising.E002",
            )
        ]
    if name == "sandbox" and not settings.PAYMENT_SANDBOX_ALLOWED:
        return [
            Error(
                "PAYMENT_PROVIDER is sandbox: anyone can mark a gift paid on its test checkout.",
                hint="Set PAYMENT_PROVIDER=stripe or yookassa with their keys, or PAYMENT_SANDBOX_ALLOWED=true "
                "for a staging site that takes no real gifts.",
                id="fundraising.E001",
            )
        ]
    missing = [key for key in PROVIDER_SETTINGS.get(name, ()) if not getattr(settings, key)]
    if missing:
        return [Error(f"PAYMENT_PROVIDER is {name} but {', '.join(missing)} is empty.", id="fundraising.E003")]
    return []
