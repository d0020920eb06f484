import pytest
from django.urls import reverse

from members.models import OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(db):
    return OutboundMessage.objects.create(
        key="k1",
        to_email="nina@example.org",
        language="ru",
        template="hello",
        subject="Привет, Нина",
        body_text="Подтвердите адрес: http://127.0.0.1:8000/accounts/confirm-email/abc/",
        body_html="<p>Подтвердите <a href='http://x'>адрес</a></p><script>alert(1)</script>",
    )


def test_the_development_outbox_lists_and_shows_messages_readably(client, message, settings):
    settings.DEBUG = True

    listing = client.get(reverse("dev_outbox")).content.decode()
    text = client.get(reverse("dev_outbox_message", args=[message.pk])).content.decode()
    html = client.get(reverse("dev_outbox_message_html", args=[message.pk]))

    assert "Привет, Нина" in listing
    assert '<a href="http://127.0.0.1:8000/accounts/confirm-email/abc/"' in text
    assert "<p>Подтвердите <a href='http://x'>адрес</a></p>" in html.content.decode()
    assert "script-src" not in html["Content-Security-Policy"]
    assert html["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_outbox_does_not_exist_in_production(client, message, settings):
    settings.DEBUG = False

    for url in (
        reverse("dev_outbox"),
        reverse("dev_outbox_message", args=[message.pk]),
        reverse("dev_outbox_message_html", args=[message.pk]),
    ):
        assert client.get(url).status_code == 404
