"""Small presentation helpers for people: initials for an avatar without a photo, phone numbers."""

from django import template

from members.phones import phone_display, phone_tel_uri

register = template.Library()


@register.filter
def person_initials(user):
    """Up to two letters: of the first and last name, else the e-mail's first letter."""
    words = (getattr(user, "name", "") or "").split()
    if not words:
        return (getattr(user, "email", "")[:1] or "?").upper()
    return (words[0][:1] + (words[-1][:1] if len(words) > 1 else "")).upper()


@register.filter
def phone_shown(value):
    """A stored number for reading, grouped as its country writes it: "+7 916 123-45-67"."""
    return phone_display(value)


@register.filter
def phone_href(value):
    """A tel: link target without spaces (RFC 3966): "tel:+79161234567"."""
    return phone_tel_uri(value)
