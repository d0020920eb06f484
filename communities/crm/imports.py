"""Reading a CSV of people: decoding, delimiter, header names in English or Russian, per-row checks.

Rows are checked here without touching the database, except `rows_classify`, which looks up in
two queries who already exists and who is already in the community. The same code serves the
preview and the worker, so what the preview promises is what the import does.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Membership
from members.models import User
from members.phones import phone_normalise

MAX_BYTES = 5 * 1024 * 1024
PREVIEW_ROWS = 20

LIMITS = {"email": 254, "name": 150, "phone": 32, "city": 100, "tag": 40}
LABELS = {
    "email": gettext_lazy("E-mail"),
    "name": gettext_lazy("Name"),
    "phone": gettext_lazy("Phone"),
    "city": gettext_lazy("City"),
    "tags": gettext_lazy("Tags"),
    "tag": gettext_lazy("Tag"),
    "role": gettext_lazy("Role"),
}

# Header names people use, after normalising (lower case, "ё" as "е", no punctuation or spaces).
HEADERS = {
    "email": {"email", "mail", "emailaddress", "почта", "электроннаяпочта", "электпочта", "элпочта", "емейл", "имейл"},
    "name": {"name", "fullname", "имя", "фио", "имяифамилия", "фамилияимя"},
    "phone": {"phone", "telephone", "tel", "mobile", "phonenumber", "телефон", "тел", "мобильный", "номертелефона"},
    "city": {"city", "town", "город", "населенныйпункт"},
    "tags": {"tags", "tag", "теги", "тег", "метки", "метка"},
    "role": {"role", "роль"},
}
ROLES = {
    "": Membership.Role.MEMBER,
    "member": Membership.Role.MEMBER,
    "участник": Membership.Role.MEMBER,
    "host": Membership.Role.HOST,
    "организатор": Membership.Role.HOST,
    "manager": Membership.Role.MANAGER,
    "менеджер": Membership.Role.MANAGER,
    "комьюнити-менеджер": Membership.Role.MANAGER,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class Row:
    number: int  # the line in the spreadsheet, the header being line 1
    email: str
    name: str = ""
    phone: str = ""
    city: str = ""
    tags: list = field(default_factory=list)
    role: str = Membership.Role.MEMBER
    errors: list = field(default_factory=list)  # [{"code": ..., "params": {...}}]

    @property
    def is_valid(self):
        return not self.errors

    @property
    def role_label(self):
        return Membership.Role(self.role).label

    @property
    def messages(self):
        return [reason_text(error) for error in self.errors]


@dataclass
class ParsedFile:
    columns: dict  # our field -> the header as written
    ignored: list  # headers we do not use
    rows: list


def reason_text(error):
    """A row problem, stored as a code with parameters, in the current language."""
    code, params = error["code"], dict(error.get("params", {}))
    if "column" in params:
        params["column"] = LABELS.get(params["column"], params["column"])
    texts = {
        "email_missing": _("The e-mail is missing."),
        "email_invalid": _("“%(value)s” is not a valid e-mail address."),
        "duplicate": _("The same e-mail as row %(row)s."),
        "too_long": _("%(column)s is longer than %(limit)s characters."),
        "role_unknown": _("Unknown role “%(value)s”: use member, host or manager."),
        "phone_invalid": _("“%(value)s” is not a phone number that can be dialled."),
        "left": _("This person left or was removed from the community; invite them instead."),
    }
    text = texts.get(code, code)
    return text % params if params else text


def decode(raw):
    """Text of an uploaded file: UTF-8 (with or without BOM), else Windows-1251 as Russian Excel saves."""
    if b"\x00" in raw[:4096]:
        raise ImportFileError(
            _("This is not a CSV file. In your spreadsheet choose “Save as” → “CSV” and upload that.")
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file's encoding is not recognised. Save it as CSV in UTF-8.")) from exc


def _normalise_header(name):
    return re.sub(r"[\W_]+", "", name.strip().lower().replace("ё", "е"))


def _delimiter(header_line):
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _map_columns(header):
    columns, ignored, positions = {}, [], {}
    for index, name in enumerate(header):
        key = _normalise_header(name)
        ours = next((ours for ours, names in HEADERS.items() if key in names), None)
        if ours and ours not in columns:
            columns[ours], positions[ours] = name.strip(), index
        elif name.strip():
            ignored.append(name.strip())
    if "email" not in columns:
        raise ImportFileError(_("The file has no e-mail column. Name the first line's column “email” or “почта”."))
    return columns, ignored, positions


def parse(text):
    """Every non-empty data row of the CSV, checked. Raises ImportFileError for an unreadable file."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise ImportFileError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        columns, ignored, positions = _map_columns(next(reader))
        raw_rows = [(reader.line_num, values) for values in reader if any(v.strip() for v in values)]
    except csv.Error as exc:
        raise ImportFileError(_("The file could not be read as CSV: %(error)s") % {"error": exc}) from exc
    rows = [_row(number, values, positions) for number, values in raw_rows]
    _mark_duplicates(rows)
    return ParsedFile(columns=columns, ignored=ignored, rows=rows)


def _cell(values, positions, name):
    index = positions.get(name)
    return values[index].strip() if index is not None and index < len(values) else ""


def _row(number, values, positions):
    def cell(name):
        return _cell(values, positions, name)

    row = Row(number=number, email=cell("email").lower(), name=cell("name"), phone=cell("phone"), city=cell("city"))
    row.tags = list(dict.fromkeys(t.strip() for t in re.split(r"[,;|]", cell("tags")) if t.strip()))
    _check(row, cell("role"))
    return row


def _check(row, role):
    if not row.email:
        row.errors.append({"code": "email_missing"})
    elif len(row.email) > LIMITS["email"]:
        row.errors.append({"code": "too_long", "params": {"column": "email", "limit": LIMITS["email"]}})
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append({"code": "email_invalid", "params": {"value": row.email[:80]}})
    try:
        row.phone = phone_normalise(row.phone)
    except ValidationError:
        row.errors.append({"code": "phone_invalid", "params": {"value": row.phone[:40]}})
    for name in ("name", "phone", "city"):
        if len(getattr(row, name)) > LIMITS[name]:
            row.errors.append({"code": "too_long", "params": {"column": name, "limit": LIMITS[name]}})
    if any(len(tag) > LIMITS["tag"] for tag in row.tags):
        row.errors.append({"code": "too_long", "params": {"column": "tag", "limit": LIMITS["tag"]}})
    role_key = role.strip().lower()
    if role_key in ROLES:
        row.role = ROLES[role_key]
    else:
        row.errors.append({"code": "role_unknown", "params": {"value": role[:40]}})


def _mark_duplicates(rows):
    first_seen = {}
    for row in rows:
        if not row.email or row.errors:
            continue
        if row.email in first_seen:
            row.errors.append({"code": "duplicate", "params": {"row": first_seen[row.email]}})
        else:
            first_seen[row.email] = row.number


CREATE, ADD, UPDATE, SKIP = "create", "add", "update", "skip"


@dataclass
class Classified:
    OUTCOMES = (CREATE, ADD, UPDATE, SKIP)

    row: Row
    outcome: str  # CREATE a new person, ADD an existing person, UPDATE an existing member, SKIP
    user_id: int | None = None
    membership_status: str | None = None


def rows_classify(*, rows, community):
    """What importing each row would do, in two queries whatever the number of rows."""
    emails = [row.email for row in rows if row.is_valid]
    people = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    users = dict(people.values_list("email_lower", "pk"))
    statuses = dict(
        Membership.objects.filter(community=community, user_id__in=users.values()).values_list("user_id", "status")
    )
    return [_classify(row, users, statuses) for row in rows]


def _classify(row, users, statuses):
    if not row.is_valid:
        return Classified(row=row, outcome=SKIP)
    user_id = users.get(row.email)
    if user_id is None:
        return Classified(row=row, outcome=CREATE)
    status = statuses.get(user_id)
    if status in (Membership.Status.LEFT, Membership.Status.REMOVED):
        row.errors.append({"code": "left"})
        return Classified(row=row, outcome=SKIP, user_id=user_id, membership_status=status)
    outcome = UPDATE if status == Membership.Status.ACTIVE else ADD
    return Classified(row=row, outcome=outcome, user_id=user_id, membership_status=status)


@dataclass
class Preview:
    columns: dict
    ignored: list
    total: int
    counts: dict
    first: list  # Classified, the first PREVIEW_ROWS rows
    problems: list  # Classified rows that will be skipped, the first 200
    problems_more: int

    @property
    def importable(self):
        return self.total - self.counts[SKIP]


def import_preview(member_import):
    parsed = parse(member_import.content)
    classified = rows_classify(rows=parsed.rows, community=member_import.community)
    counts = {outcome: 0 for outcome in (CREATE, ADD, UPDATE, SKIP)}
    for item in classified:
        counts[item.outcome] += 1
    problems = [item for item in classified if item.outcome == SKIP]
    return Preview(
        columns=parsed.columns,
        ignored=parsed.ignored,
        total=len(classified),
        counts=counts,
        first=classified[:PREVIEW_ROWS],
        problems=problems[:200],
        problems_more=max(0, len(problems) - 200),
    )
