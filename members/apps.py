from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

from config.sanitize import install_text_validators

# The apps whose models hold text people type; each text field refuses control characters.
TEXT_APPS = ("members", "communities", "events", "fundraising")


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("People and messages")

    def ready(self):
        # Every app's models are loaded before any ready() runs.
        install_text_validators(model for label in TEXT_APPS for model in apps.get_app_config(label).get_models())
