"""Fill Russian translations into locale/ru/LC_MESSAGES/django.po from JSON files of {msgid: msgstr}.

Usage: python locale/translate.py a.json [b.json ...]   (plural entries: msgstr is a list of three forms)
Run `manage.py makemessages -l ru` first; untranslated entries are listed at the end. Existing
translations in django.po are kept unless a file gives a new one.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).parent / "ru" / "LC_MESSAGES" / "django.po"


def main(*paths):
    translations = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with PO.open("rb") as f:
        catalog = read_po(f, locale="ru")
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
        elif message.fuzzy:
            # makemessages' guess from a similar string: wrong more often than right, so drop it.
            message.string = ("", "", "") if isinstance(message.id, tuple) else ""
        message.flags.discard("fuzzy")
        message.previous_id = []
    catalog.fuzzy = False
    catalog.project, catalog.language_team = "Kindred", "Russian"
    with PO.open("wb") as f:
        write_po(f, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not (m.string if not isinstance(m.string, tuple) else all(m.string))]
    for msgid in missing:
        print("untranslated:", msgid)


if __name__ == "__main__":
    main(*sys.argv[1:])
