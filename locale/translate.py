"""Fill Russian translations into locale/ru/LC_MESSAGES/django.po from a JSON file of {msgid: msgstr}.

Usage: python locale/translate.py ru.json   (plural entries: msgstr is a list of three forms)
Run `manage.py makemessages -l ru` first; untranslated entries are listed at the end.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).parent / "ru" / "LC_MESSAGES" / "django.po"


def main(path):
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f, locale="ru")
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    catalog.fuzzy = False
    catalog.project, catalog.language_team = "Kindred", "Russian"
    with PO.open("wb") as f:
        write_po(f, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not (m.string if not isinstance(m.string, tuple) else all(m.string))]
    for msgid in missing:
        print("untranslated:", msgid)


if __name__ == "__main__":
    main(sys.argv[1])
