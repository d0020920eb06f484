from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self):
        from communities import navigation

        navigation.connect()

        # Registers what this app forgets when a person deletes their account.
        from communities import personal_data  # noqa: F401
