"""User-written text, in one place for every app: what HTML survives in rich text, how Markdown
becomes HTML, and which characters plain single-line and multi-line text may hold."""

import json
import re
from html.parser import HTMLParser

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
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


# Stories and updates are written in Markdown; single line breaks are kept and bare links are linked,
# because people paste text from messengers. Raw HTML in the source is allowed through the parser
# and then cleaned by sanitize_html with everything else.
_markdown = MarkdownIt("commonmark", {"breaks": True, "html": True, "linkify": True}).enable(
    ["linkify", "strikethrough"]
)


def render_markdown(source):
    """Markdown text (str, may be empty) to safe HTML: paragraphs, emphasis, lists, links."""
    if not source:
        return ""
    return sanitize_html(_markdown.render(source))


class _MarkdownWriter(HTMLParser):
    """Turns the simple HTML stories were once stored as into the Markdown they are written in now."""

    MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~"}
    HEADINGS = {"h2": "## ", "h3": "### ", "h4": "#### "}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.links, self.lists = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag in self.HEADINGS:
            self.out.append("\n\n" + self.HEADINGS[tag])
        elif tag in ("p", "blockquote", "figure"):
            self.out.append("\n\n> " if tag == "blockquote" else "\n\n")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "hr":
            self.out.append("\n\n---\n\n")
        elif tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ol" else None)
            self.out.append("\n")
        elif tag == "li":
            self._list_item()
        elif tag == "a":
            self.links.append(attrs.get("href") or "")
            self.out.append("[")
        elif tag == "img" and attrs.get("src"):
            self.out.append(f"![{attrs.get('alt') or ''}]({attrs['src']})")

    def _list_item(self):
        number = self.lists[-1] if self.lists else None
        if number is None:
            self.out.append("\n- ")
        else:
            self.lists[-1] = number + 1
            self.out.append(f"\n{number + 1}. ")

    def handle_endtag(self, tag):
        if tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("\n\n")
        elif tag == "a" and self.links:
            self.out.append(f"]({self.links.pop()})")
        elif tag in ("p", "blockquote", "figure", *self.HEADINGS):
            self.out.append("\n\n")

    def handle_data(self, data):
        self.out.append(re.sub(r"\s+", " ", data))

    def markdown(self):
        text = "".join(self.out)
        lines = [line.strip() for line in text.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_markdown(value):
    """Simple stored HTML (str) as Markdown; text without tags comes back unchanged."""
    if not value or "<" not in value:
        return value or ""
    writer = _MarkdownWriter()
    writer.feed(value)
    writer.close()
    return writer.markdown()
