from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        # Registers what this app forgets when a person deletes their account.
        from events import personal_data  # noqa: F401
