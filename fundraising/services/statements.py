"""A donor's annual statement: every counted gift under their e-mail in a calendar year, with the
organisation's legal details (settings ORGANISATION_NAME, _INN, _OGRN, _ADDRESS), as a PDF for a tax
deduction. Drawn with ReportLab in a TrueType font with Cyrillic (settings STATEMENT_FONT)."""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from fundraising.models import COUNTED_STATUSES, Donation
from fundraising.money import money_format

STATEMENTS_BATCH = 1000


@dataclass(frozen=True)
class Statement:
    email: str
    year: int
    gifts: list  # Donation rows, oldest first, each with .net (after refunds)
    totals: dict[str, Decimal]  # currency -> sum of net amounts


def statement_for(*, email: str, year: int) -> Statement:
    """The gifts (net of refunds, refunded in full left out) under this e-mail in `year`, counted in
    the organisation's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    gifts = list(
        Donation.objects.filter(
            donor_key=email.strip().lower(),
            status__in=COUNTED_STATUSES,
            refunded_amount__lt=F("amount"),
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("campaign", "fundraiser")
        .annotate(net=F("amount") - F("refunded_amount"))
        .order_by("created_at")
    )
    totals: dict[str, Decimal] = {}
    for gift in gifts:
        totals[gift.currency] = totals.get(gift.currency, Decimal(0)) + gift.net
    return Statement(email=email, year=year, gifts=gifts, totals=totals)


def statement_years(*, email: str) -> list[int]:
    """Years (newest first) in which this e-mail has counted gifts."""
    gifts = Donation.objects.filter(donor_key=email.strip().lower(), status__in=COUNTED_STATUSES)
    dates = gifts.datetimes("created_at", "year", order="DESC", tzinfo=ZoneInfo(settings.TIME_ZONE))
    return [d.year for d in dates]


def _font():
    path = Path(settings.STATEMENT_FONT)
    if not path.exists():
        return "Helvetica"
    if "KindredStatement" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("KindredStatement", str(path)))
    return "KindredStatement"


def statement_pdf(statement: Statement, *, language: str) -> bytes:
    """The statement as an A4 PDF in `language`; long years continue on further pages."""
    buffer = io.BytesIO()
    with translation.override(language):
        pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
        pdf.setTitle(_("Annual statement of donations, %(year)s") % {"year": statement.year})
        writer = _Writer(pdf, _font())
        _header(writer, statement)
        for gift in statement.gifts:
            writer.row(
                date_format(gift.created_at, "DATE_FORMAT"),
                str(gift.fundraiser or gift.campaign)[:60],
                money_format(gift.net, gift.currency),
            )
        writer.gap()
        for currency, total in statement.totals.items():
            writer.row("", _("Total"), money_format(total, currency), bold=True)
        writer.gap()
        writer.line(_("Thank you for your support."))
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()


def _header(writer, statement):
    writer.line(settings.ORGANISATION_NAME, size=14)
    details = [
        (_("INN"), settings.ORGANISATION_INN),
        (_("OGRN"), settings.ORGANISATION_OGRN),
        (_("Address"), settings.ORGANISATION_ADDRESS),
    ]
    for label, value in details:
        if value:
            writer.line(f"{label}: {value}", size=9)
    writer.gap()
    writer.line(_("Annual statement of donations, %(year)s") % {"year": statement.year}, size=13)
    writer.line(_("Donor: %(email)s") % {"email": statement.email}, size=10)
    writer.gap()
    writer.row(_("Date"), _("For"), _("Amount"), bold=True)


class _Writer:
    """Lines and three-column rows down an A4 page, starting a new page when one is full."""

    def __init__(self, pdf, font):
        self.pdf, self.font = pdf, font
        self.y = A4[1] - 20 * mm

    def _room(self, height):
        if self.y - height < 20 * mm:
            self.pdf.showPage()
            self.y = A4[1] - 20 * mm
        self.y -= height

    def line(self, text, *, size=10):
        self._room(size * 1.6)
        self.pdf.setFont(self.font, size)
        self.pdf.drawString(20 * mm, self.y, text)

    def row(self, when, what, amount, *, bold=False):
        self._room(14)
        self.pdf.setFont(self.font, 10.5 if bold else 10)
        self.pdf.drawString(20 * mm, self.y, when)
        self.pdf.drawString(62 * mm, self.y, what)
        self.pdf.drawRightString(A4[0] - 20 * mm, self.y, amount)

    def gap(self):
        self.y -= 8


# The January e-mail ----------------------------------------------------------------------------------


def annual_statements_send(*, now=None) -> int:
    """In January (the organisation's time zone): e-mail every donor who asked for it (DonorConsent
    .statements, on the give page or their donor page) a link that downloads last year's statement,
    when they had counted gifts that year. Key `statement:<DonorConsent id>:<year>`: the daily runs
    through January, a retried task or two beats send each donor one e-mail. Returns how many queued."""
    from fundraising.models import DonorConsent
    from fundraising.services.donor_links import donor_page_url
    from members.models import OutboundMessage
    from members.services import message_send

    local = timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE))
    if local.month != 1:
        return 0
    year = local.year - 1
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    gave = Donation.objects.filter(
        donor_key=OuterRef("donor_key"),
        status__in=COUNTED_STATUSES,
        refunded_amount__lt=F("amount"),
        created_at__gte=start,
        created_at__lt=end,
    )
    asked = DonorConsent.objects.filter(statements=True).filter(Exists(gave))
    sent, last = 0, 0
    while batch := list(asked.filter(pk__gt=last).order_by("pk")[:STATEMENTS_BATCH]):
        last = batch[-1].pk
        keys = {c.pk: f"statement:{c.pk}:{year}" for c in batch}
        done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
        for consent in batch:
            if keys[consent.pk] in done:
                continue
            page = donor_page_url(consent.email)
            message_send(
                key=keys[consent.pk],
                template="annual_statement",
                context={
                    "year": year,
                    "organisation": settings.ORGANISATION_NAME,
                    "totals": statement_for(email=consent.donor_key, year=year).totals,
                    "statement_url": f"{page}?statement={year}",
                    "manage_url": f"{page}#consents",
                },
                to_email=consent.email,
                language=consent.language,
            )
            sent += 1
    return sent
