"""API of the communities app, registered on the router in config/api.py."""
