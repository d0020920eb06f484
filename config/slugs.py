"""Page addresses (slugs) made from what people call things, for every app, and saved without a race.

Titles are written in Russian, Ukrainian, Belarusian, Kazakh and English. python-slugify transliterates
any script; the table below only chooses the readable Russian-style spelling for Cyrillic letters
(«Тёплая зима» -> teplaya-zima, «Әлем» -> alem) where its defaults would drop a letter or spell it "ia";
Ukrainian titles follow Ukraine's own scheme («Київ» -> kyiv).
"""

import secrets

from django.db import IntegrityError, transaction
from slugify import slugify

CYRILLIC = {
    # Russian
    "ё": "e",
    "й": "y",
    "ы": "y",
    "э": "e",
    "ж": "zh",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "yu",
    "я": "ya",
    "ъ": "",
    "ь": "",
    # Ukrainian and Belarusian
    "є": "ye",
    "ї": "yi",
    "і": "i",
    "ґ": "g",
    "ў": "u",
    # Kazakh (and Tatar, Bashkir, Kyrgyz)
    "ә": "a",
    "ғ": "g",
    "қ": "q",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "җ": "zh",
    # Serbian and Macedonian
    "ђ": "dj",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "c",
    "џ": "dz",
    "ѓ": "gj",
    "ќ": "kj",
    "ѕ": "dz",
}
REPLACEMENTS = [[cyrillic, latin] for cyrillic, latin in CYRILLIC.items()]

# Ukrainian titles follow Ukraine's national transliteration (2010): «Київ» -> kyiv, «Їжак» -> yizhak.
UKRAINIAN = {
    **{"г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "i", "й": "i", "є": "ie", "ю": "iu", "я": "ia"},
    **{"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "'": "", "’": "", "ʼ": ""},
}
UKRAINIAN_WORD_START = {"ї": "yi", "й": "y", "є": "ye", "ю": "yu", "я": "ya"}
UKRAINIAN_ONLY = set("їєґ")
NOT_UKRAINIAN = set("ыэёъўәғқңөұүһ")
SLUG_ATTEMPTS = 12


def slug_from(text, *, max_length=60, fallback="page"):
    """A lowercase ASCII slug of at most `max_length` characters from any text, cut at a word boundary;
    `fallback` when nothing is left (a title of emoji)."""
    text = (text or "").lower()
    if _is_ukrainian(text):
        text = _ukrainian_latin(text)
    slug = slugify(text, replacements=REPLACEMENTS, max_length=max_length, word_boundary=True)
    return slug or fallback


def _is_ukrainian(text):
    letters = set(text)
    return bool(letters & UKRAINIAN_ONLY) or ("і" in letters and not letters & NOT_UKRAINIAN)


def _ukrainian_latin(text):
    out, previous = [], " "
    for char in text:
        table = UKRAINIAN_WORD_START if not previous.isalpha() and char in UKRAINIAN_WORD_START else UKRAINIAN
        out.append(table.get(char, char))
        previous = char
    return "".join(out)


def slug_candidates(base, taken):
    """`base`, then base-2, base-3 … skipping those in `taken`; after a few, a random suffix so that many
    people saving the same title at once stop colliding."""
    n = 1
    for attempt in range(SLUG_ATTEMPTS):
        if attempt < SLUG_ATTEMPTS // 2:
            while True:
                candidate = base if n == 1 else f"{base}-{n}"
                n += 1
                if candidate not in taken:
                    break
        else:
            candidate = f"{base}-{secrets.token_hex(3)}"
        yield candidate


def save_with_free_slug(obj, *, source, queryset, max_length=60, fallback="page", reserved=(), field="slug"):
    """Give `obj` a free slug made from `source` and save it (INSERT or UPDATE).

    `queryset` holds the rows whose slugs must differ (e.g. the community's events). Someone else may
    take the same slug between the check and the save: the database's unique constraint refuses it and
    the next candidate is tried in a savepoint, so two people saving the same title at once both succeed.
    Raises IntegrityError for any other conflict, or when every candidate was taken.
    """
    base = slug_from(source, max_length=max_length - 7, fallback=fallback)
    if base in reserved:
        base = f"{base}-{fallback}"
    queryset = queryset.exclude(pk=obj.pk) if obj.pk else queryset
    taken = set(queryset.filter(**{f"{field}__startswith": base}).values_list(field, flat=True))
    error = None
    for candidate in slug_candidates(base, taken):
        setattr(obj, field, candidate)
        try:
            with transaction.atomic():
                obj.save()
            return obj
        except IntegrityError as exc:
            if not queryset.filter(**{field: candidate}).exists():
                raise  # another constraint refused the row: not ours to retry
            error = exc
    raise error
