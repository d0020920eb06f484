"""User-written text, in one place for every app: what HTML survives in rich text, and which
characters plain single-line and multi-line text may hold."""

import json
import re

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "hr",
    "img",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}


def sanitize_html(value):
    """Keep simple formatting and links; drop scripts, styles, event handlers and unknown tags."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# ---------------------------------------------------------------- plain text typed by people

# C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and lone surrogates
# (which cannot be stored as UTF-8). Tabs and line breaks are among them: a single-line value has none.
_SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# What a multi-line value may not keep: the same, except tab and line feed (CR LF and CR become LF).
_MULTI_LINE_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def has_control_characters(value, *, multi_line=False):
    """Whether `value` holds characters a single-line (or, with multi_line, a multi-line) field refuses."""
    if multi_line:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    forbidden = _MULTI_LINE_FORBIDDEN if multi_line else _SINGLE_LINE_FORBIDDEN
    return forbidden.search(value) is not None


@deconstructible
class SingleLineValidator:
    """Refuse control characters, line breaks and tabs in a one-line field (a name, a title, a place)."""

    message = _("Use a single line of text without control characters.")
    code = "control_characters"

    def __call__(self, value):
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)


@deconstructible
class MultiLineValidator:
    """Refuse control characters other than line breaks and tabs in a multi-line field."""

    message = _("Remove the control characters from this text.")
    code = "control_characters"

    def __call__(self, value):
        if isinstance(value, str) and has_control_characters(value, multi_line=True):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, MultiLineValidator)


validate_single_line = SingleLineValidator()
validate_multi_line = MultiLineValidator()


def clean_multi_line(value):
    """Keep only printable text, line breaks (as LF) and tabs: what a multi-line form field stores."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _MULTI_LINE_FORBIDDEN.sub("", value)


def one_line(value):
    """Any text made safe for a header or a one-line property: every control character becomes a space.

    No-break spaces stay (money is formatted with them).
    """
    return re.sub(" {2,}", " ", _SINGLE_LINE_FORBIDDEN.sub(" ", str(value))).strip(" ")


# The longest multi-line text anyone types (a story, a description, a message to a community).
TEXT_MAX_LENGTH = 50_000


def install_text_validators(models):
    """Give every text field of `models` the validator for its kind, without changing migrations.

    CharFields (single line) get `validate_single_line`, TextFields `validate_multi_line` and a length
    bound of TEXT_MAX_LENGTH (CharFields have theirs); ModelForms
    and DRF's ModelSerializers pick them up from the model, so the refusal is the same everywhere.
    Fields with choices, e-mails, URLs and slugs have stricter validation of their own already.
    """
    for model in models:
        for field in model._meta.get_fields():
            for validator in _validators_for(field):
                if validator not in field.validators:
                    # `validators` is a cached list; `_validators` (which migrations see) stays as it is.
                    field.validators.append(validator)


def _validators_for(field):
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return []
    if isinstance(field, models.EmailField | models.URLField | models.SlugField):
        return []
    if isinstance(field, models.TextField):
        return [validate_multi_line, MaxLengthValidator(TEXT_MAX_LENGTH)]
    return [validate_single_line]


class SingleLineField(forms.CharField):
    """A form's one-line text: control characters, tabs and line breaks are refused."""

    default_validators = [validate_single_line]


class MultiLineField(forms.CharField):
    """A form's multi-line text: line breaks (as LF) and tabs kept, other control characters dropped."""

    def __init__(self, *, max_length=TEXT_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return clean_multi_line(value) if value else value


class SingleLineSerializerField(serializers.CharField):
    """The API's one-line text: control characters, tabs and line breaks are refused (400)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_single_line)


class MultiLineSerializerField(serializers.CharField):
    """The API's multi-line text: line breaks and tabs kept, other control characters dropped."""

    def __init__(self, *, max_length=TEXT_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return clean_multi_line(value) if value else value


class SafeJSONRenderer(JSONRenderer):
    """DRF's JSON, which also survives an error message quoting a lone surrogate someone sent.

    Such a character cannot be written as UTF-8; it goes out as a \\u escape (still valid JSON).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return json.dumps(data, cls=self.encoder_class, ensure_ascii=True).encode("ascii")
