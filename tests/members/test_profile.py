import io
import os
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from config.images import card_name, card_url
from members import services
from members.models import ConsentRecord, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def profile_data(user, **changes):
    data = {
        "name": user.name,
        "phone": user.phone,
        "city": user.city,
        "bio": user.bio,
        "language": user.language,
        "timezone": user.timezone,
        "consent_news": "on" if user.consent_news else "",
        "consent_reminders": "on" if user.consent_reminders else "",
        "consent_reports": "on" if user.consent_reports else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def png(size=(64, 64), noise=False):
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, "teal")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_the_profile_shows_initials_when_there_is_no_photo(client, user):
    user.name = "Nina Volkova"
    user.save()
    client.force_login(user)

    html = client.get(reverse("members:account")).content.decode()

    assert "kd-person-initials" in html
    assert ">NV<" in html


def test_a_person_changes_their_profile(client, user):
    client.force_login(user)

    response = client.post(
        reverse("members:account"),
        profile_data(
            user,
            name="Nina Volkova",
            phone="+7 (900) 123-45-67",
            city="Omsk",
            bio="<script>alert(1)</script>I run <b>marathons</b>",
            language="ru",
            timezone="Asia/Omsk",
        ),
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.phone, user.city, user.language, user.timezone) == (
        "Nina Volkova",
        "+79001234567",
        "Omsk",
        "ru",
        "Asia/Omsk",
    )
    assert user.bio == "alert(1)I run marathons"
    assert response.cookies["django_language"].value == "ru"


def test_a_bad_phone_number_is_an_error_next_to_the_field(client, user):
    client.force_login(user)

    response = client.post(reverse("members:account"), profile_data(user, phone="call me maybe"))

    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    user.refresh_from_db()
    assert user.phone == ""


def test_giving_a_consent_records_it_with_its_time_and_source(client, user):
    client.force_login(user)

    with time_machine.travel(NOW, tick=False):
        client.post(reverse("members:account"), profile_data(user, consent_news="on"))

    record = ConsentRecord.objects.get(user=user)
    assert (record.kind, record.granted, record.source, record.recorded_at) == ("news", True, "profile", NOW)
    user.refresh_from_db()
    assert user.consent_news is True
    html = client.get(reverse("members:account")).content.decode()
    assert "Given on" in html


def test_withdrawing_a_consent_is_recorded_too_and_unchanged_ones_are_not(client, user):
    client.force_login(user)
    client.post(reverse("members:account"), profile_data(user, consent_news="on"))
    user.refresh_from_db()

    client.post(reverse("members:account"), profile_data(user, consent_news="", consent_reports="on"))
    client.post(reverse("members:account"), profile_data(User.objects.get(pk=user.pk), consent_news=""))

    records = list(ConsentRecord.objects.filter(user=user).order_by("pk").values_list("kind", "granted"))
    assert records == [("news", True), ("news", False), ("reports", True)]
    assert "Withdrawn on" in client.get(reverse("members:account")).content.decode()


def test_a_photo_is_uploaded_shown_and_removed(client, user):
    client.force_login(user)

    client.post(reverse("members:account"), {**profile_data(user), "avatar": png()})

    user.refresh_from_db()
    assert re.fullmatch(r"avatars/[0-9a-f]{32}\.(jpg|png)", user.avatar.name)  # a random name: nobody's id
    path = user.avatar.path
    card = user.avatar.storage.path(card_name(user.avatar.name))
    assert os.path.exists(path)
    assert os.path.exists(card)
    assert card_url(user.avatar) in client.get(reverse("members:account")).content.decode()  # the small one

    client.post(reverse("members:account"), {**profile_data(user), "avatar_remove": "on"})

    user.refresh_from_db()
    assert not user.avatar
    assert not os.path.exists(path)
    assert not os.path.exists(card)


def test_a_file_that_is_not_an_image_is_refused(client, user):
    client.force_login(user)
    fake = SimpleUploadedFile("me.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = client.post(reverse("members:account"), {**profile_data(user), "avatar": fake})

    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar


def test_a_photo_over_the_upload_limit_is_refused(client, user, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    client.force_login(user)
    big = png(size=(1000, 1000), noise=True)
    assert big.size > 2 * 1024 * 1024

    response = client.post(reverse("members:account"), {**profile_data(user), "avatar": big})

    assert "larger than 2 MB" in response.content.decode()
    assert "up to 2 MB" in response.content.decode()


def test_a_phone_photo_becomes_a_small_avatar_without_its_camera_or_location(client, user):
    picture = Image.new("RGB", (4000, 3000), (90, 140, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95, exif=exif)
    client.force_login(user)

    client.post(
        reverse("members:account"),
        {**profile_data(user), "avatar": SimpleUploadedFile("IMG_1234.jpg", out.getvalue(), content_type="image/jpeg")},
    )

    user.refresh_from_db()
    with user.avatar.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert max(stored.size) == 1600
    assert not stored.getexif()
    assert "IMG_1234" not in user.avatar.name


def test_the_profile_needs_a_signed_in_person(client):
    response = client.get(reverse("members:account"))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_sign_up_asks_for_and_records_the_personal_data_consent(client, commit):
    data = {"name": "Nina", "email": "nina@example.org", "password1": PASSWORD, "password2": PASSWORD}

    refused = client.post(reverse("account_signup"), data)
    with commit():
        accepted = client.post(reverse("account_signup"), {**data, "personal_data": "on"})

    assert refused.status_code == 200
    assert "Without this consent we cannot create your account." in refused.content.decode()
    assert accepted.status_code == 302
    record = ConsentRecord.objects.get(user__email="nina@example.org", kind="personal_data")
    assert (record.kind, record.granted, record.source) == ("personal_data", True, "sign-up")


# API ----------------------------------------------------------------------------------------------


def test_the_api_shows_the_profile_and_consents(user):
    services.consent_record(user=user, kind="personal_data", granted=True, source="sign-up", now=NOW)
    api = APIClient()
    api.force_login(user)

    body = api.get(reverse("api:me")).json()

    assert {"phone", "city", "bio", "avatar", "consent_news", "consent_reminders", "consent_reports"} <= set(body)
    assert body["consents"] == [
        {"kind": "personal_data", "granted": True, "recorded_at": "2026-03-02T12:30:00+03:00", "source": "sign-up"}
    ]


def test_patching_consents_through_the_api_records_them(user):
    api = APIClient()
    api.force_login(user)

    response = api.patch(reverse("api:me"), {"consent_reports": True, "city": "Tver"}, format="json")

    assert response.status_code == 200
    assert response.json()["city"] == "Tver"
    record = ConsentRecord.objects.get(user=user)
    assert (record.kind, record.granted, record.source) == ("reports", True, "api")


def test_the_api_refuses_a_bad_phone_with_a_field_message(user):
    api = APIClient()
    api.force_login(user)

    response = api.patch(reverse("api:me"), {"phone": "not a phone"}, format="json")

    assert response.status_code == 400
    assert "phone" in response.json()
