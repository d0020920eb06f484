"""Pages of the communities app: public.py (list, community page, joining), manage.py (settings, requests, invitations, announcements), directory.py (member directory and member pages)."""
