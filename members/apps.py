from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("People and messages")

    def ready(self):
        from allauth.mfa.signals import authenticator_added, authenticator_removed

        from members import signals

        authenticator_added.connect(signals.mfa_changed, dispatch_uid="members.mfa_added")
        authenticator_removed.connect(signals.mfa_changed, dispatch_uid="members.mfa_removed")
