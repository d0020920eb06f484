"""Presentation of the dashboard's figures: a card's value in its kind and a table cell."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import formats, timezone

from fundraising.money import money_format

register = template.Library()


@register.filter
def card_value(card, figure="value"):
    """The card's figure ({{ card|card_value }}) or its previous one ({{ card|card_value:"previous" }})."""
    value = getattr(card, figure)
    if value is None:
        return "—"
    if card.kind == "money":
        return money_format(value, card.currency)
    if card.kind == "percent":
        return f"{value}%"
    return formats.number_format(value, force_grouping=True)


@register.filter
def cell(value):
    """A table cell: times in the viewer's zone, amounts with their cents, empty for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return date_filter(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return date_filter(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return value


@register.filter
def absolute(number):
    return abs(number)
