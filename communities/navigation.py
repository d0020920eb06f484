"""Whether the person manages a community, remembered in their session for the navigation's "Manage".

Worked out when they sign in (and again whenever they open /manage/), so pages do not pay a query
for it on every request.
"""

from django.contrib.auth.signals import user_logged_in

from communities.selectors import communities_managed_by

SESSION_KEY = "kd_manages"


def manages_remember(request, user):
    """Store (and return) whether `user` manages at least one community, or is staff."""
    manages = bool(user.is_staff or communities_managed_by(user).exists())
    request.session[SESSION_KEY] = manages
    return manages


def manages(request):
    """What the session remembers: True for managers and staff."""
    return bool(getattr(request, "session", None) and request.session.get(SESSION_KEY))


def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        manages_remember(request, user)


def connect():
    user_logged_in.connect(_on_login, dispatch_uid="communities.navigation.manages")
