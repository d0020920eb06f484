from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from config.sanitize import install_text_validators


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("People and messages")

    def ready(self):
        from allauth.mfa.signals import authenticator_added, authenticator_removed

        from config import checks  # noqa: F401 (registers the site's deploy checks)
        from members import signals
        from members.search import sqlite_register_fold

        connection_created.connect(sqlite_register_fold, dispatch_uid="members.sqlite_register_fold")
        authenticator_added.connect(signals.mfa_changed, dispatch_uid="members.mfa_added")
        authenticator_removed.connect(signals.mfa_changed, dispatch_uid="members.mfa_removed")

        # Kindred's own apps (not third-party ones): every text field people type refuses control
        # characters. Every app's models are loaded before any ready() runs.
        own = [config for config in apps.get_app_configs() if _is_kindreds(config)]
        install_text_validators(model for config in own for model in config.get_models())


def _is_kindreds(app_config):
    path = Path(app_config.path)
    return path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts
