"""Writes about communities, split by area: membership.py (joining, roles, requests), invitations.py,
announcements.py, crm.py (tags, contact log, bulk actions)."""


class CommunityError(Exception):
    """A rule of the community refused the change; the message is shown to the person."""
