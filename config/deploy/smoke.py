"""The production smoke: what a visitor, a donor and a manager do, through nginx, against real processes.

Run by config/deploy/prod-check.sh (which starts PostgreSQL-backed gunicorn, a Celery worker and beat
on Redis, an SMTP sink and nginx with TLS), never on its own. Reads:

    SMOKE_BASE      https://localhost:<port> (nginx)
    SMOKE_CA        the self-signed certificate nginx serves
    SMOKE_MAILDIR   where the SMTP sink stores what the worker sent
    SMOKE_PASSWORD  the demo manager's password

Every step prints "ok" or "FAIL" with the reason; the exit status is 1 if any step failed.
Only the standard library and requests (a runtime dependency) are used.
"""

import io
import mailbox
import os
import re
import sys
import time
import traceback
from email.header import decode_header, make_header
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

BASE = os.environ["SMOKE_BASE"].rstrip("/")
CA = os.environ["SMOKE_CA"]
MAILDIR = os.environ["SMOKE_MAILDIR"]
PASSWORD = os.environ.get("SMOKE_PASSWORD", "kindred-demo")
MANAGER = "manager@kindred.test"
DONOR = "smoke-donor@example.org"
TIMEOUT = 20


class FromAddress(HTTPAdapter):
    """Connects from a chosen loopback address, so nginx sees a different client."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser(address="127.0.0.1"):
    session = requests.Session()
    session.verify = CA
    session.mount("https://", FromAddress(address))
    session.headers["User-Agent"] = "kindred-smoke"
    return session


class Forms(HTMLParser):
    """Every form on a page: its action, method and the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "buttons": set()})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(a["name"], None)
            elif kind != "file" and kind != "submit":
                fields[a["name"]] = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "button" and a.get("name"):
            self.forms[-1]["buttons"].add(a["name"])  # sent only when pressed: the caller says which
        elif tag == "select":
            self._select = a.get("name")
            fields.setdefault(self._select, "")
        elif tag == "option" and self._select and ("selected" in a):
            fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def form_with(html, field):
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if field in form["fields"] or field in form["buttons"]:
            return {k: v for k, v in form["fields"].items() if v is not None}, form["action"]
    raise AssertionError(f"no form with a {field!r} field on the page")


def post_form(session, page_url, field, changes, files=None):
    """Loads page_url, fills the form that has `field`, and posts it as a browser would."""
    page = session.get(page_url, timeout=TIMEOUT)
    check(page.status_code == 200, f"GET {page_url} answered {page.status_code}")
    data, action = form_with(page.text, field)
    data.update(changes)
    target = urljoin(page.url, action or page.url)
    return session.post(
        target, data=data, files=files, headers={"Referer": page.url}, allow_redirects=False, timeout=TIMEOUT
    )


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds}s for {what}")


STEPS = []


def step(function):
    STEPS.append(function)
    return function


state = {}


@step
def healthz():
    response = browser().get(f"{BASE}/healthz", timeout=TIMEOUT)
    check(response.status_code == 200, f"status {response.status_code}: {response.text[:200]}")
    check(response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}, response.text)


@step
def home_page_and_its_hashed_static_files():
    session = browser()
    page = session.get(f"{BASE}/", timeout=TIMEOUT)
    check(page.status_code == 200, f"status {page.status_code}")
    check(page.headers.get("Strict-Transport-Security"), "no HSTS header on an https page")
    styles = re.findall(r'href="(/static/[^"]+\.css)"', page.text)
    check(styles and all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in styles), f"unhashed: {styles}")
    for href in styles:
        css = session.get(BASE + href, timeout=TIMEOUT)
        check(css.status_code == 200 and "text/css" in css.headers["Content-Type"], f"{href}: {css.status_code}")


@step
def campaign_and_fundraiser_pages():
    session = browser()
    campaigns = session.get(f"{BASE}/api/v1/campaigns/", timeout=TIMEOUT).json()["results"]
    check(campaigns, "no campaigns in the demo data")
    campaign = next(c for c in campaigns if c["status"] == "active")
    state["campaign"] = campaign
    page = session.get(BASE + campaign["url"], timeout=TIMEOUT)
    check(page.status_code == 200 and campaign["title"] in page.text, f"campaign page: {page.status_code}")
    fundraisers = session.get(f"{BASE}/api/v1/fundraisers/?campaign={campaign['id']}", timeout=TIMEOUT).json()
    fundraiser = fundraisers["results"][0]
    page = session.get(BASE + fundraiser["url"], timeout=TIMEOUT)
    check(page.status_code == 200 and fundraiser["title"] in page.text, f"fundraiser page: {page.status_code}")


def _raised(campaign_id):
    return browser().get(f"{BASE}/api/v1/campaigns/{campaign_id}/", timeout=TIMEOUT).json()["raised_amount"]


@step
def a_sandbox_donation_end_to_end_raises_the_total():
    campaign = state["campaign"]
    before = float(_raised(campaign["id"]))
    donor = browser()
    give_url = f"{BASE}/give/campaign/{campaign['slug']}/"
    gift = {"preset": "", "amount": "777", "name": "Smoke Donor", "email": DONOR}
    started = post_form(donor, give_url, "email", gift)
    check(started.status_code == 302, f"give form answered {started.status_code}")
    checkout = urljoin(give_url, started.headers["Location"])
    check(urlsplit(checkout).path.startswith("/give/sandbox/"), f"not the sandbox checkout: {checkout}")
    paid = post_form(donor, checkout, "outcome", {"outcome": "succeed"})
    check(paid.status_code == 302, f"sandbox checkout answered {paid.status_code}")
    # The signed callback goes from the worker back through nginx; the total rises when it lands.
    after = wait_for(lambda: (v := float(_raised(campaign["id"]))) >= before + 777 and v, 60, "the total to rise")
    check(after == before + 777, f"raised {before} -> {after}, expected +777")
    thanks = donor.get(urljoin(checkout, paid.headers["Location"]), timeout=TIMEOUT)
    check(thanks.status_code == 200, f"thank-you page: {thanks.status_code}")


@step
def the_receipt_arrives_at_the_smtp_sink():
    def receipt():
        for message in mailbox.Maildir(MAILDIR, create=False):
            if DONOR in message.get("To", ""):
                return message
        return None

    message = wait_for(receipt, 60, f"a message to {DONOR}")
    subject = str(make_header(decode_header(message["Subject"])))
    check("777" in message.as_string() or "777" in subject, f"the receipt does not show the amount: {subject}")
    state["receipt_subject"] = subject


@step
def a_manager_uploads_a_cover_and_nginx_serves_it():
    manager = browser()
    login = post_form(manager, f"{BASE}/accounts/login/", "login", {"login": MANAGER, "password": PASSWORD})
    check(login.status_code == 302, f"login answered {login.status_code}")
    manage = manager.get(f"{BASE}/fundraising/manage/", timeout=TIMEOUT)
    slugs = re.findall(r'href="/fundraising/manage/([\w-]+)/"', manage.text)
    check(slugs, "the manager sees no campaign to manage")
    edit_url = f"{BASE}/fundraising/manage/{slugs[0]}/"
    saved = post_form(manager, edit_url, "title", {}, files={"cover": ("cover.jpg", _photo(), "image/jpeg")})
    check(saved.status_code == 302, f"saving the cover answered {saved.status_code}")
    campaign = browser().get(f"{BASE}/campaigns/{slugs[0]}/", timeout=TIMEOUT).text
    images = re.findall(r'src="(/media/[^"]+)"', campaign)
    check(images, "the campaign page shows no uploaded image")
    image = browser().get(BASE + images[0], timeout=TIMEOUT)
    check(image.status_code == 200, f"{images[0]}: {image.status_code}")
    check(image.headers["Content-Type"].startswith("image/"), image.headers["Content-Type"])
    check("X-Request-ID" not in image.headers, "the image came through Django, not from nginx's disk")
    from PIL import Image

    stored = Image.open(io.BytesIO(image.content))
    check(max(stored.size) <= 1600, f"the 2400 px upload was stored at {stored.size}")
    check(not stored.getexif(), "the stored image still carries EXIF (camera, GPS position)")


def _photo():
    """A 2400x1600 JPEG carrying EXIF with a GPS position, as a phone would send."""
    from PIL import Image

    picture = Image.new("RGB", (2400, 1600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SmokePhone"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}  # GPS
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


@step
def a_missing_page_is_answered_in_russian():
    response = browser().get(f"{BASE}/no-such-page-smoke/", headers={"Accept-Language": "ru"}, timeout=TIMEOUT)
    check(response.status_code == 404, f"status {response.status_code}")
    check("Мы не нашли такую страницу" in response.text, "the 404 page is not the Russian one")
    check('<html lang="ru">' in response.text, "the 404 page is not marked as Russian")


@step
def two_clients_behind_nginx_are_rate_limited_separately():
    campaign = state["campaign"]
    body = {"campaign": campaign["id"], "amount": "500", "email": "limit@example.org"}
    first, second = browser("127.0.0.2"), browser("127.0.0.3")
    url = f"{BASE}/api/v1/donations/"
    statuses = [first.post(url, json=body, timeout=TIMEOUT).status_code for _ in range(10)]
    check(statuses == [201] * 10, f"the first ten gifts from one client: {statuses}")
    # A forged X-Forwarded-For does not make the client someone else.
    refused = first.post(url, json=body, headers={"X-Forwarded-For": "203.0.113.77"}, timeout=TIMEOUT)
    check(refused.status_code == 429, f"the eleventh gift from the same client: {refused.status_code}")
    check("detail" in refused.json() and refused.headers.get("Retry-After"), "429 not in the API's error format")
    other = second.post(url, json=body, timeout=TIMEOUT)
    check(other.status_code == 201, f"another client was refused too ({other.status_code}): the limit is site-wide")


def main():
    failed = 0
    for function in STEPS:
        started = time.monotonic()
        try:
            function()
        except Exception as exc:  # every step reports, then the run fails
            failed += 1
            print(f"FAIL {function.__name__}: {exc}", flush=True)
            traceback.print_exc(limit=2)
        else:
            print(f"ok   {function.__name__} ({time.monotonic() - started:.1f}s)", flush=True)
    print(f"{len(STEPS) - failed} of {len(STEPS)} smoke steps passed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
