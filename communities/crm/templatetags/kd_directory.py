"""Presentation helpers of the member directory and the member page."""

from django import template

from communities.crm.models import ContactLog
from members.models import Activity

register = template.Library()

AVATAR_HUES = 8
ACTIVITY_ICONS = {
    Activity.Kind.JOINED: "person-plus",
    Activity.Kind.LEFT: "box-arrow-right",
    Activity.Kind.REMOVED: "person-x",
    Activity.Kind.ROLE_CHANGED: "shield",
    Activity.Kind.REQUESTED: "hand-index",
    Activity.Kind.INVITED: "envelope-open",
    Activity.Kind.IMPORTED: "upload",
    Activity.Kind.CONTACTED: "telephone",
    Activity.Kind.NOTE: "journal-text",
    Activity.Kind.TAGGED: "tag",
    Activity.Kind.MESSAGED: "envelope",
    Activity.Kind.REGISTERED: "calendar-check",
    Activity.Kind.ATTENDED: "check2-circle",
    Activity.Kind.NO_SHOW: "calendar-x",
    Activity.Kind.HOSTED: "megaphone",
    Activity.Kind.DONATED: "heart",
    Activity.Kind.FUNDRAISER_OPENED: "flag",
    Activity.Kind.REPLIED: "reply",
}
CONTACT_ICONS = {
    ContactLog.Kind.CALL: "telephone",
    ContactLog.Kind.MEETING: "people",
    ContactLog.Kind.MESSAGE: "chat-left-text",
    ContactLog.Kind.NOTE: "journal-text",
}


@register.filter
def initials(user):
    """Up to two letters for an avatar: first and last name, else the e-mail's first letter."""
    words = (user.name or "").split()
    if not words:
        return (user.email[:1] or "?").upper()
    letters = words[0][:1] + (words[-1][:1] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def avatar_hue(user):
    """One of a few background colours, the same for a person everywhere."""
    return (user.pk or 0) % AVATAR_HUES


@register.filter
def activity_icon(kind):
    return ACTIVITY_ICONS.get(kind, "dot")


@register.filter
def contact_icon(kind):
    return CONTACT_ICONS.get(kind, "dot")
