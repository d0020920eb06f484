from django.urls import path  # noqa: F401

app_name = "communities"

# Public pages and membership flows first, then manager pages, then the directory.
urlpatterns = []
