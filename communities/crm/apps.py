from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "communities.crm"
    label = "crm"
    verbose_name = _("Member directory and imports")

    def ready(self):
        # Registers what this app forgets when a person deletes their account.
        from communities.crm import personal_data  # noqa: F401
