import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_me_needs_authentication(api):
    response = api.get(reverse("api:me"))

    assert response.status_code == 401


def test_me_with_a_session(api, user):
    api.force_login(user)

    response = api.get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_me_with_a_token_from_the_account_page(client, api, user):
    client.force_login(user)
    client.post(reverse("members:api_token"), {"action": "rotate"})
    token = Token.objects.get(user=user)

    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_a_revoked_token_stops_working(client, api, user):
    client.force_login(user)
    client.post(reverse("members:api_token"), {"action": "rotate"})
    key = Token.objects.get(user=user).key
    client.post(reverse("members:api_token"), {"action": "revoke"})

    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api.get(reverse("api:me")).status_code == 401


def test_me_patch_changes_preferences(api, user):
    api.force_login(user)

    response = api.patch(reverse("api:me"), {"language": "ru", "timezone": "Asia/Omsk"}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.language, user.timezone) == ("ru", "Asia/Omsk")


def test_me_patch_answers_bad_input_with_field_errors(api, user):
    api.force_login(user)

    response = api.patch(reverse("api:me"), {"language": "klingon", "email": "x@y.z"}, format="json")

    assert response.status_code == 400
    assert "language" in response.json()
    user.refresh_from_db()
    assert user.email != "x@y.z"


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/v1/me/" in (tmp_path / "schema.yml").read_text()


def test_the_api_docs_page_is_served_locally(client):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "https://" not in body
