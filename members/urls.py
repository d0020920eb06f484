from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("api-token/", views.api_token, name="api_token"),
    path("data/", views.personal_data, name="personal_data"),
    path("data/download/", views.personal_data_download, name="personal_data_download"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
