"""Small presentation helpers for people: initials for an avatar without a photo."""

from django import template

register = template.Library()


@register.filter
def person_initials(user):
    """Up to two letters: of the first and last name, else the e-mail's first letter."""
    words = (getattr(user, "name", "") or "").split()
    if not words:
        return (getattr(user, "email", "")[:1] or "?").upper()
    return (words[0][:1] + (words[-1][:1] if len(words) > 1 else "")).upper()
