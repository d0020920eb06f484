"""Uploaded images: limited in size, re-encoded and resized with Pillow, metadata stripped, with a card rendition.

Every image field of every model is an ``UploadedImageField``, so whatever path an image comes in by
(a page's form, the admin, the API, a script) it is stored the same way:

- refused above ``max_bytes`` (``IMAGE_UPLOAD_MAX_BYTES`` by default) or ``MAX_PIXELS``, or when Pillow
  cannot read it as JPEG, PNG, WebP or GIF;
- turned upright (EXIF orientation), then re-encoded without any metadata (EXIF, GPS position,
  camera, comments), at most ``MAX_SIDE`` pixels on its longer side: JPEG, or PNG when it has
  transparency, under a new random name;
- accompanied by a card rendition (``CARD_SIDE`` px) next to it, ``<name>.card.<ext>``, which
  ``card_url`` returns for lists and cards.

The field reports itself as Django's ImageField to migrations: processing is not a schema change.
"""

import io
import math
import re
import uuid
import warnings

from django import forms, template
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600  # px, the longer side of a stored image
CARD_SIDE = 480  # px, the longer side of the card rendition
# Refused before decoding, by format. A JPEG is decoded at a reduced scale (Pillow's draft mode), PNG,
# WebP and GIF whole at 4 bytes a pixel. Peak memory of storing one (bench/images.py): a 48 Mpx phone
# photo 72 MB, an 89 Mpx JPEG 136 MB, a 4096 × 4096 RGBA PNG 163 MB; a 5K screenshot fits.
# MPO is a JPEG with more pictures after the first (phones and cameras write it as .jpg): stored as a JPEG.
MAX_PIXELS = {"JPEG": Image.MAX_IMAGE_PIXELS, "MPO": Image.MAX_IMAGE_PIXELS}  # Pillow's bomb warning, 89.5 Mpx
MAX_PIXELS_OTHER = 4096 * 4096
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
_PROCESSED = re.compile(r"^(?P<stem>(?:.*/)?[0-9a-f]{32})\.(?P<ext>jpg|png)$")


def image_check(upload, *, max_bytes: int | None = None) -> None:
    """Raise ValidationError unless ``upload`` (a File) is a readable image within the limits."""
    limit = max_bytes or settings.IMAGE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The image is larger than %(limit)s MB. Choose a smaller one."),
            code="too_large",
            params={"limit": f"{limit / 1024 / 1024:.2f}".rstrip("0").rstrip(".")},
        )
    too_many = ValidationError(_("The image has too many pixels."), code="too_many_pixels")
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # Pillow's own cap, ~89 Mpx
            with Image.open(upload) as picture:
                if picture.format not in FORMATS:
                    raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."), code="format")
                if picture.width * picture.height > MAX_PIXELS.get(picture.format, MAX_PIXELS_OTHER):
                    raise too_many
                picture.verify()
            upload.seek(0)
            with Image.open(upload) as picture:  # decoded (at the scale storing uses): a cut-off file fails here
                _draft(picture, MAX_SIDE)
                picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("This file is not an image we can read."), code="invalid") from exc
    finally:
        upload.seek(0)


def _draft(picture, side):
    """Let a JPEG decode at the smallest of 1/2, 1/4, 1/8 scale that keeps twice the final size."""
    ratio = min(1.0, side / max(picture.size))
    picture.draft(None, (math.ceil(picture.width * ratio * 2), math.ceil(picture.height * ratio * 2)))


def image_reencode(upload, *, side: int = MAX_SIDE) -> tuple[bytes, str]:
    """``upload`` (a readable File) re-encoded without metadata, at most ``side`` px: (bytes, "jpg"|"png")."""
    upload.seek(0)
    with Image.open(upload) as picture:
        # Shrink first, then turn upright (the bound is square, so turning does not change which side
        # is longer); Pillow's thumbnail alone would decode a 4:3 JPEG at twice the square bound.
        _draft(picture, side)
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
        picture = ImageOps.exif_transpose(picture)
        transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
        out = io.BytesIO()
        if transparent:
            picture.convert("RGBA").save(out, "PNG", optimize=True)
            return out.getvalue(), "png"
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
        return out.getvalue(), "jpg"


def card_name(name: str) -> str:
    """The storage name of the card rendition of a processed image ``name``, or ``name`` itself."""
    match = _PROCESSED.match(name or "")
    return f"{match['stem']}.card.{match['ext']}" if match else name


def card_url(image) -> str:
    """URL of the small rendition of an image field's file (``""`` when empty), for cards and lists."""
    if not image:
        return ""
    return image.storage.url(card_name(image.name))


class UploadedImageFormField(forms.ImageField):
    """A form's image field that refuses what ``image_check`` refuses, next to the field."""

    def __init__(self, *args, max_bytes=None, **kwargs):
        self.max_bytes = max_bytes
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})
        )
        super().__init__(*args, **kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            image_check(upload, max_bytes=self.max_bytes)
        return upload


class UploadedImageFieldFile(ImageFieldFile):
    """The file of an ``UploadedImageField``: whatever is saved into it (a form's upload assigned to the
    model, or ``field_file.save(name, content)`` from a service) is checked and stored processed."""

    def save(self, name, content, save=True):
        """Store ``content`` (a File) re-encoded under a new random name in the field's folder, with its
        card rendition; ``name`` is not kept (it may say who or where). Raises ValidationError for
        what ``image_check`` refuses or what cannot be decoded."""
        image_check(content, max_bytes=self.field.max_bytes)
        try:
            data, ext = image_reencode(content)
            card, _ext = image_reencode(io.BytesIO(data), side=CARD_SIDE)
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValidationError(_("This file is not an image we can read."), code="invalid") from exc
        super().save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=save)
        self.storage.save(card_name(self.name), ContentFile(card))

    def delete(self, save=True):
        """Delete the file and its card rendition."""
        if self.name and card_name(self.name) != self.name:
            self.storage.delete(card_name(self.name))
        super().delete(save=save)


class UploadedImageField(models.ImageField):
    """An ImageField whose new files are checked, re-encoded, resized and given a card rendition."""

    attr_class = UploadedImageFieldFile

    def __init__(self, *args, max_bytes=None, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": UploadedImageFormField, "max_bytes": self.max_bytes, **kwargs})

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value and not getattr(value, "_committed", True):
            image_check(value.file, max_bytes=self.max_bytes)

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            file.save(file.name, file.file, save=False)  # checked and processed by UploadedImageFieldFile
        return super().pre_save(model_instance, add)


register = template.Library()  # a template builtin (settings.TEMPLATES): {{ campaign.cover|card }}


@register.filter(name="card")
def card_filter(image):
    """The card rendition's URL of an image field's file, or "" when there is none."""
    return card_url(image)
