"""Receivers connected in MembersConfig.ready(): they hand the event to a service."""

from members import services


def mfa_changed(sender, *, user, **kwargs):
    """allauth.mfa added or removed an authenticator: User.mfa_enabled follows the app and security keys."""
    services.user_mfa_changed(user=user)
