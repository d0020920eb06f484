"""How the money checks' notes read on the staff jobs page (members.jobs), in the reader's language.

The checks (fundraising.services.checks) store what they found as data (ids, amounts, states); each
kind here turns those data into a sentence when the note is shown, so a note written by a night job
reads in Russian to one member of staff and in English to another.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fundraising.models import Donation
from fundraising.money import money_format
from members.jobs import job_note_kind_register

DONATION_REPAIRED = "donation_repaired"
DONATION_MISMATCH = "donation_mismatch"
REFUND_CONFIRMED = "refund_confirmed"
TOTALS_DRIFTED = "totals_drifted"
ROLLUPS_DRIFTED = "rollups_drifted"


def _money(data, key="amount"):
    return money_format(Decimal(data[key]), data["currency"])


def _change(change, currency):
    """One of payment_apply's changes ("succeeded", "refund 500.00 RUB", "refund reversed 500.00 RUB")."""
    words = change.split()
    if words[0] == "refund":
        amount = money_format(Decimal(words[-2]), words[-1] if len(words) > 2 else currency)
        if words[1] == "reversed":
            return _("a refund of %(amount)s failed at the provider and counts again") % {"amount": amount}
        return _("a refund of %(amount)s counted") % {"amount": amount}
    return _("now %(status)s") % {"status": Donation.Status(change).label}


def donation_repaired(data):
    changes = ", ".join(_change(change, data["currency"]) for change in data["changes"])
    return _("Donation %(number)s (%(amount)s, “%(title)s”): %(changes)s, as %(provider)s reports.") % {
        "number": data["donation"],
        "amount": _money(data),
        "title": data["title"],
        "changes": changes,
        "provider": data["provider"],
    }


def _mismatch_reason(code, provider):
    reasons = {
        "payment": _("the amount or currency %(provider)s reports differs from the donation's."),
        "refund_currency": _("a refund %(provider)s lists is in another currency."),
        "refund_too_large": _("the refunds %(provider)s lists are more than the donation."),
        "refund_differs": _("a refund %(provider)s reports differs from the one Kindred asked for."),
        "refund_unknown": _("%(provider)s reports a refund failed that Kindred never counted."),
    }
    return reasons.get(code, reasons["payment"]) % {"provider": provider}


def donation_mismatch(data):
    return _("Donation %(number)s: %(reason)s Nothing was changed; check it at %(provider)s.") % {
        "number": data["donation"],
        "reason": _mismatch_reason(data.get("code", "payment"), data["provider"]),
        "provider": data["provider"],
    }


def refund_confirmed(data):
    return _("A refund of %(amount)s of donation %(number)s was confirmed by %(provider)s.") % {
        "amount": _money(data),
        "number": data["donation"],
        "provider": data["provider"],
    }


def _scope(key):
    kind, pk = key.split()
    names = {
        "campaign": _("campaign %(number)s"),
        "team": _("team %(number)s"),
        "fundraiser": _("fundraiser %(number)s"),
    }
    return names[kind] % {"number": pk}


def _drift(key, values):
    before, after = values[:3], values[3:]
    return _("%(scope)s: raised %(raised)s, donations %(donations)s, donors %(donors)s") % {
        "scope": _scope(key),
        "raised": f"{before[0]}→{after[0]}",
        "donations": f"{before[1]}→{after[1]}",
        "donors": f"{before[2]}→{after[2]}",
    }


def totals_drifted(data):
    parts = "; ".join(_drift(key, values) for key, values in list(data["diff"].items())[:10])
    if data.get("repaired", True):
        text = _("Totals of campaign %(number)s “%(title)s” drifted and were repaired: %(parts)s.")
    else:
        text = _("Totals of campaign %(number)s “%(title)s” drifted (not repaired): %(parts)s.")
    return text % {"number": data["campaign"], "title": data["title"], "parts": parts}


def rollups_drifted(data):
    rows = data["rows"]
    if data.get("repaired", True):
        text = ngettext(
            "Dashboard figures of campaign %(number)s differed from its donations in %(rows)s row; rewritten.",
            "Dashboard figures of campaign %(number)s differed from its donations in %(rows)s rows; rewritten.",
            rows,
        )
    else:
        text = ngettext(
            "Dashboard figures of campaign %(number)s differ from its donations in %(rows)s row (not rewritten).",
            "Dashboard figures of campaign %(number)s differ from its donations in %(rows)s rows (not rewritten).",
            rows,
        )
    return text % {"number": data["campaign"], "rows": rows}


def register():
    for kind, render in (
        (DONATION_REPAIRED, donation_repaired),
        (DONATION_MISMATCH, donation_mismatch),
        (REFUND_CONFIRMED, refund_confirmed),
        (TOTALS_DRIFTED, totals_drifted),
        (ROLLUPS_DRIFTED, rollups_drifted),
    ):
        job_note_kind_register(kind, render)
