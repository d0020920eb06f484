from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "communities.routine"
    label = "routine"
    verbose_name = _("Manager's routine")
