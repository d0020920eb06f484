"""Finding people as others type them: "семен" finds "Семён", "ANNA" finds "Anna", "8 916 123-45-67"
finds "+79161234567".

Names and e-mails are compared folded: lower case, "ё" as "е", accents dropped ("é" as "e"). The fold
runs in the database as `kindred_fold(text)`: on PostgreSQL an immutable SQL function over `unaccent`
(its rule set maps "ё" to "е") with a trigram index on people's names and e-mails (migration
members.0006); on SQLite (`make run`) the same function in Python, registered on each connection.
"""

import unicodedata

from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Replace

from members.phones import phone_search_digits

COMBINING_BREVE = "\u0306"  # keeps "й" apart from "и"
PHONE_SEPARATORS = [" ", "-", "(", ")", ".", "+"]


def search_fold(text):
    """The folded form of a text, as `kindred_fold` computes it; None stays None (SQL NULL)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.lower())
    kept = []
    for char in decomposed:
        if unicodedata.combining(char) and not (char == COMBINING_BREVE and kept and kept[-1] == "и"):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


class Fold(Func):
    """kindred_fold(expression): see the module's docstring."""

    function = "kindred_fold"
    output_field = CharField()


def sqlite_register_fold(sender, connection, **kwargs):
    """connection_created receiver: SQLite gets kindred_fold as a Python function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("kindred_fold", 1, search_fold, deterministic=True)


def people_search(queryset, query, *, prefix=""):
    """`queryset` narrowed to people whose name or e-mail contains the query (folded), or whose phone
    contains it as a number typed in any common format.

    `prefix` leads from the queryset's model to the User ("user__", "membership__user__")."""
    needle = Fold(Value(query))
    queryset = queryset.alias(
        _fold_name=Fold(F(f"{prefix}name")),
        _fold_email=Fold(F(f"{prefix}email")),
    )
    match = Q(_fold_name__contains=needle) | Q(_fold_email__contains=needle)
    variants = phone_search_digits(query)
    if variants:
        digits = F(f"{prefix}phone")
        for separator in PHONE_SEPARATORS:  # numbers stored before E.164 may still hold separators
            digits = Replace(digits, Value(separator), Value(""))
        queryset = queryset.alias(_phone_digits=digits)
        for variant in variants:
            match |= Q(_phone_digits__contains=variant)
    return queryset.filter(match)
