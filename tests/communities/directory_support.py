"""Shared set-up of the directory and CRM tests: a community with a manager and a cast of outsiders."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from communities.models import Membership
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

RUSSIAN = Path(__file__).resolve().parents[2] / "locale" / "ru-directory.json"


@dataclass
class Cast:
    community: object
    manager: object
    manager_membership: object
    host: object
    member: object
    member_membership: object
    outsider: object  # an active member of another community
    other_manager: object  # manages another community
    staff: object
    other_community: object
    other_membership: object  # someone in the other community


@pytest.fixture
def cast(db):
    community = CommunityFactory(name="Running for Hope", slug="running")
    other = CommunityFactory(name="Donor club", slug="donors")
    manager_membership = MembershipFactory(
        community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Mila Manager")
    )
    host = MembershipFactory(community=community, role=Membership.Role.HOST, user=UserFactory(name="Hugo Host")).user
    member_membership = MembershipFactory(community=community, user=UserFactory(name="Mark Member"))
    outsider = MembershipFactory(community=other, user=UserFactory(name="Olga Outsider"))
    other_manager = MembershipFactory(community=other, role=Membership.Role.MANAGER).user
    return Cast(
        community=community,
        manager=manager_membership.user,
        manager_membership=manager_membership,
        host=host,
        member=member_membership.user,
        member_membership=member_membership,
        outsider=outsider.user,
        other_manager=other_manager,
        staff=UserFactory(is_staff=True),
        other_community=other,
        other_membership=outsider,
    )


@pytest.fixture
def russian_directory(settings, tmp_path):
    """The Russian of locale/ru-*.json (the directory's is ru-directory.json) compiled in front of the
    project's catalog, so Russian pages can be checked before the lead merges them into django.po."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="ru")
    translations = {}
    # The other areas' Russian too (the manager tabs, the navbar), the directory's last.
    for path in [*sorted(p for p in RUSSIAN.parent.glob("ru-*.json") if p != RUSSIAN), RUSSIAN]:
        translations.update(json.loads(path.read_text(encoding="utf-8")))
    for msgid, msgstr in translations.items():
        if isinstance(msgstr, list):
            catalog.add((msgid, msgid), tuple(msgstr))
        else:
            catalog.add(msgid, msgstr)
    folder = tmp_path / "locale" / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "django.mo").open("wb") as mo:
        write_mo(mo, catalog)
    settings.LOCALE_PATHS = [str(tmp_path / "locale"), *settings.LOCALE_PATHS]
