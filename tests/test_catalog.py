"""The Russian catalog is whole: no merge leftovers, no fuzzy guesses, and Babel reads it without errors."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_the_russian_catalog_has_no_merge_leftovers_and_no_fuzzy_entries():
    text = CATALOG.read_text()
    leftovers = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)

    assert leftovers == []
    assert [message.id for message in catalog if message.fuzzy and message.id] == []
    assert [message.id for message in catalog if message.id and not message.string] == []
