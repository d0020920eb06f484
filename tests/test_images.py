"""Every image upload: size limit, re-encoding without metadata, resizing, a card rendition."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from config.images import card_name, card_url
from tests.factories import CommunityFactory, MembershipFactory
from tests.fundraising.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(width=2400, height=1600, kind="JPEG", mode="RGB", gps=True):
    picture = Image.new(mode, (width, height), (200, 120, 40, 128) if mode == "RGBA" else (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    out = io.BytesIO()
    picture.save(out, kind, exif=exif)
    return SimpleUploadedFile(f"IMG_0001.{kind.lower()}", out.getvalue(), content_type=f"image/{kind.lower()}")


def stored(field):
    field.open("rb")
    try:
        return Image.open(io.BytesIO(field.read()))
    finally:
        field.close()


def test_a_phone_photo_is_stored_smaller_without_its_location_with_a_card_rendition():
    campaign = make_campaign(CommunityFactory())
    campaign.cover = photo()
    campaign.save()

    picture = stored(campaign.cover)
    with campaign.cover.storage.open(card_name(campaign.cover.name)) as handle:
        card = Image.open(io.BytesIO(handle.read()))
    assert picture.format == "JPEG"
    assert max(picture.size) == 1600
    assert not picture.getexif()
    assert campaign.cover.name.startswith("fundraising/campaigns/")
    assert "IMG_0001" not in campaign.cover.name
    assert max(card.size) == 480
    assert not card.getexif()
    assert card_url(campaign.cover).endswith(".card.jpg")


def test_a_transparent_png_stays_transparent():
    community = CommunityFactory()
    community.cover = photo(800, 600, kind="PNG", mode="RGBA", gps=False)
    community.save()

    assert stored(community.cover).mode == "RGBA"
    assert community.cover.name.endswith(".png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg"), "not an image"),
        (SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"), "larger than 5"),
    ],
)
def test_the_model_refuses_what_is_not_a_small_enough_image(upload, message):
    community = CommunityFactory()
    community.cover = upload

    with pytest.raises(ValidationError, match=message):
        community.full_clean()


def test_a_manager_uploading_a_cover_gets_it_processed_and_a_too_big_one_refused_next_to_the_field(client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 200_000
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    campaign = make_campaign(community)
    client.force_login(manager)
    url = reverse("fundraising:manage_campaign", args=[campaign.slug])
    form = {
        "title": campaign.title,
        "summary": campaign.summary,
        "story": campaign.story,
        "goal": campaign.goal,
        "currency": campaign.currency,
        "starts_on": campaign.starts_on or "",
        "ends_on": campaign.ends_on or "",
        "status": campaign.status,
        "suggested": " ".join(str(a) for a in campaign.suggested_amounts),
        "allow_fundraisers": "on",
    }

    refused = client.post(url, {**form, "cover": _noise(600_000)})
    accepted = client.post(url, {**form, "cover": photo()})

    assert refused.status_code == 200
    assert "larger than 0.19 MB" in refused.content.decode()
    assert accepted.status_code == 302
    campaign.refresh_from_db()
    assert max(stored(campaign.cover).size) == 1600


def _noise(size):
    """A JPEG of about ``size`` bytes (random pixels do not compress)."""
    import os

    side = int((size / 3) ** 0.5)
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=100)
    return SimpleUploadedFile("noise.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_photo_taken_sideways_is_stored_upright():
    picture = Image.new("RGB", (3000, 2000), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned 90° clockwise
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    campaign = make_campaign(CommunityFactory())
    campaign.cover = SimpleUploadedFile("IMG_0002.jpg", out.getvalue(), content_type="image/jpeg")
    campaign.save()

    assert stored(campaign.cover).size == (1067, 1600)


@pytest.mark.parametrize(
    ("width", "height", "kind", "refused"),
    [
        (6300, 6300, "PNG", True),  # 165 KB on disk, ~600 MB to decode and re-encode before the cap
        (4097, 4096, "PNG", True),
        (4096, 4096, "PNG", False),
        (9500, 9500, "JPEG", True),  # over Pillow's decompression-bomb cap
        (8000, 6000, "JPEG", False),  # a 48 Mpx phone photo
    ],
)
def test_images_with_more_pixels_than_the_cap_are_refused_before_decoding(width, height, kind, refused):
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, kind)
    community = CommunityFactory()
    community.cover = SimpleUploadedFile(f"big.{kind.lower()}", out.getvalue(), content_type=f"image/{kind.lower()}")

    if refused:
        with pytest.raises(ValidationError, match="too many pixels"):
            community.full_clean()
    else:
        community.full_clean()


def test_a_phone_photo_saved_as_mpo_is_taken_as_a_jpeg():
    # iPhones and many cameras write .jpg files Pillow reads as MPO (a JPEG with more pictures after it).
    first, second = Image.new("RGB", (2400, 1800), (200, 120, 40)), Image.new("RGB", (2400, 1800), (0, 0, 0))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    campaign = make_campaign(CommunityFactory())
    campaign.cover = SimpleUploadedFile("IMG_0003.jpg", out.getvalue(), content_type="image/jpeg")
    campaign.full_clean(exclude=["created_by"])
    campaign.save()

    assert stored(campaign.cover).format == "JPEG"
    assert stored(campaign.cover).size == (1600, 1200)


def test_a_cut_off_photo_is_a_form_error_not_a_server_error(client):
    data = photo().read()[:-40_000]  # the upload broke off: the header is fine, the picture is not
    community = CommunityFactory()
    community.cover = SimpleUploadedFile("IMG_0004.jpg", data, content_type="image/jpeg")

    with pytest.raises(ValidationError, match="not an image we can read"):
        community.full_clean()
    with pytest.raises(ValidationError, match="not an image we can read"):
        community.cover.save("IMG_0004.jpg", SimpleUploadedFile("IMG_0004.jpg", data), save=False)
