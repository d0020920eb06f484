"""User-written rich text: what HTML survives and how Markdown becomes HTML, in one place for every app."""

import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

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
