"""Pages of the communities app.

public.py: the list, a community's page, joining; manage.py: settings, requests, invitations,
announcements; directory.py: the member directory and member pages; checkins.py, messages.py,
mobilisation.py and dashboard.py: the manager's routine.
"""
