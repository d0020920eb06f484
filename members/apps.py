from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("People and messages")

    def ready(self):
        from allauth.mfa.signals import authenticator_added, authenticator_removed

        from members import signals
        from members.search import sqlite_register_fold

        connection_created.connect(sqlite_register_fold, dispatch_uid="members.sqlite_register_fold")
        authenticator_added.connect(signals.mfa_changed, dispatch_uid="members.mfa_added")
        authenticator_removed.connect(signals.mfa_changed, dispatch_uid="members.mfa_removed")
