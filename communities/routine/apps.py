from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "communities.routine"
    label = "routine"
    verbose_name = _("Manager's routine")

    def ready(self):
        # Registers what this app forgets when a person deletes their account.
        from communities.routine import personal_data  # noqa: F401
