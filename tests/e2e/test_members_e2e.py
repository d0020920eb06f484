import pytest
from django.test import Client

from communities.crm.models import MemberImport
from communities.crm.services import imports as import_services
from members import services
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "Почта;Имя;Телефон;Город;Теги\n"
    "nina@example.org;Нина Волкова;+7 900 111-22-33;Омск;волонтёры, бегуны\n"
    "oleg@example.org;Олег Смирнов;;Тверь;бегуны\n"
    "not-an-address;Кто-то;;;\n"
    "nina@example.org;Нина ещё раз;;;\n"
)


def signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


@pytest.fixture
def community():
    return CommunityFactory(name="Бегущие сердца", slug="running-hearts")


def manager_of(community, language):
    return MembershipFactory(
        community=community, role="manager", user__language=language, user__name="Anna Petrova"
    ).user


def test_a_manager_imports_a_csv_through_preview_and_report(page_factory, live_server, community, tmp_path):
    manager = manager_of(community, "en")
    page = signed_in(page_factory(viewport=PHONE), live_server, manager)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(CSV, encoding="utf-8")

    page.goto(f"/c/{community.slug}/manage/import/")
    page.locator("#id_file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and preview").click()

    page.get_by_role("heading", name="Check before importing").wait_for()
    assert "“not-an-address” is not a valid e-mail address." in page.content()
    assert "The same e-mail as row 2." in page.content()
    page.get_by_role("button", name="Import 2 people").click()

    page.get_by_role("heading", name="Report").wait_for()
    assert page.locator(".kd-stat-figure").all_inner_texts() == ["2", "0", "2"]
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_profile_and_import_pages_look_finished(page_factory, live_server, community, language, width, viewport):
    manager = manager_of(community, language)
    manager.phone, manager.city, manager.bio = "+7 900 000-00-00", "Москва", "Бегаю ради тех, кому нужна помощь."
    manager.save()
    services.consent_record(user=manager, kind="personal_data", granted=True, source="sign-up")
    services.user_update_profile(user=manager, changes={"consent_news": True})
    preview = import_services.member_import_create(
        community=community, actor=manager, file_name="people.csv", raw=CSV.encode()
    )
    running = import_services.member_import_create(
        community=community, actor=manager, file_name="big-list.csv", raw=CSV.encode()
    )
    MemberImport.objects.filter(pk=running.pk).update(status="running", processed_rows=1)
    other_people = CSV.replace("nina@", "vera@").replace("oleg@", "ivan@")
    done = import_services.member_import_create(
        community=community, actor=manager, file_name="done.csv", raw=other_people.encode()
    )
    MemberImport.objects.filter(pk=done.pk).update(status="queued")
    import_services.member_import_run(import_id=done.pk)
    page = signed_in(page_factory(viewport=viewport, language=language), live_server, manager)

    pages = [
        ("/account/", "profile"),
        ("/account/data/", "personal-data"),
        (f"/c/{community.slug}/manage/import/", "import-start"),
        (f"/c/{community.slug}/manage/import/{preview.pk}/", "import-preview"),
        (f"/c/{community.slug}/manage/import/{running.pk}/", "import-progress"),
        (f"/c/{community.slug}/manage/import/{done.pk}/", "import-report"),
    ]
    for path, name in pages:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        screenshot(page, f"{name}-{width}-{language}")
    assert page.console_errors == []


def test_the_progress_bar_polls_until_the_report_appears(page_factory, live_server, community):
    manager = manager_of(community, "en")
    member_import = import_services.member_import_create(
        community=community, actor=manager, file_name="people.csv", raw=CSV.encode()
    )
    MemberImport.objects.filter(pk=member_import.pk).update(status="running")
    page = signed_in(page_factory(viewport=PHONE), live_server, manager)

    page.goto(f"/c/{community.slug}/manage/import/{member_import.pk}/")
    page.get_by_text("0 of 4 rows done").wait_for()
    import_services.member_import_run(import_id=member_import.pk)  # the worker finishes meanwhile

    page.get_by_role("heading", name="Report").wait_for()
    assert page.locator(".kd-stat-figure").all_inner_texts() == ["2", "0", "2"]
    assert page.console_errors == []
