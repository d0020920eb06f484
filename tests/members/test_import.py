import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.crm import imports
from communities.crm.models import MemberImport
from communities.crm.services import imports as import_services
from communities.models import Membership, Tag
from members.models import Activity, User
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "email,name,phone,city,tags,role\n"
    'anna@example.org,Anna Petrova,+7 900 000-00-01,Moscow,"runners, donors",member\n'
    "boris@example.org,Boris Ivanov,,Kazan,runners,host\n"
)


@pytest.fixture
def community():
    return CommunityFactory()


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager").user


def upload(client, community, content, name="people.csv", encoding="utf-8"):
    raw = content.encode(encoding) if isinstance(content, str) else content
    return client.post(
        reverse("member_import:start", kwargs={"slug": community.slug}),
        {"file": SimpleUploadedFile(name, raw, content_type="text/csv")},
    )


def run_import(client, commit, community, content, **kwargs):
    upload(client, community, content, **kwargs)
    member_import = MemberImport.objects.get(community=community)
    with commit():
        client.post(reverse("member_import:confirm", kwargs={"slug": community.slug, "pk": member_import.pk}))
    member_import.refresh_from_db()
    return member_import


# Reading the file ---------------------------------------------------------------------------------


def test_good_rows_are_read_with_every_column():
    rows = imports.parse(GOOD).rows

    assert [(r.number, r.email, r.name, r.city, r.tags, r.role) for r in rows] == [
        (2, "anna@example.org", "Anna Petrova", "Moscow", ["runners", "donors"], "member"),
        (3, "boris@example.org", "Boris Ivanov", "Kazan", ["runners"], "host"),
    ]
    assert all(r.is_valid for r in rows)


def test_russian_headers_with_semicolons_in_windows_1251_are_understood():
    text = "Почта;Имя;Телефон;Город;Теги;Роль\r\nNINA@Example.org;Нина Волкова;+7 901 1;Омск;волонтёры;организатор\r\n"

    parsed = imports.parse(imports.decode(text.encode("cp1251")))

    row = parsed.rows[0]
    assert (row.email, row.name, row.city, row.tags, row.role) == (
        "nina@example.org",
        "Нина Волкова",
        "Омск",
        ["волонтёры"],
        "host",
    )


def test_utf8_with_a_byte_order_mark_and_e_mail_header():
    raw = "\ufeffE-mail;ФИО\nolga@example.org;Ольга\n".encode()

    parsed = imports.parse(imports.decode(raw))

    assert parsed.columns == {"email": "E-mail", "name": "ФИО"}
    assert parsed.rows[0].name == "Ольга"


def test_bad_rows_say_what_is_wrong():
    text = (
        "email,name,role\n"
        "not-an-address,A,member\n"
        ",B,member\n"
        f"c@example.org,{'x' * 151},member\n"
        "d@example.org,D,boss\n"
        "e@example.org,E,\n"
        "E@EXAMPLE.ORG,E again,\n"
    )

    rows = imports.parse(text).rows

    assert [r.messages for r in rows] == [
        ["“not-an-address” is not a valid e-mail address."],
        ["The e-mail is missing."],
        ["Name is longer than 150 characters."],
        ["Unknown role “boss”: use member, host or manager."],
        [],
        ["The same e-mail as row 6."],
    ]


def test_a_file_without_an_e_mail_column_is_refused():
    with pytest.raises(imports.ImportFileError, match="no e-mail column"):
        imports.parse("name,city\nAnna,Moscow\n")


def test_a_spreadsheet_file_is_refused_with_advice():
    with pytest.raises(imports.ImportFileError, match="Save as"):
        imports.decode(b"PK\x03\x04\x00\x00binary")


# Pages and permissions ----------------------------------------------------------------------------


def test_the_preview_counts_new_existing_and_skipped_people(client, community, manager):
    UserFactory(email="Boris@Example.org")  # exists, different case
    MembershipFactory(community=community, user=UserFactory(email="vera@example.org"))
    client.force_login(manager)
    content = GOOD + "vera@example.org,Vera,,,,\nbroken,,,,,\nanna@example.org,Anna again,,,,\n"

    response = upload(client, community, content)

    member_import = MemberImport.objects.get(community=community)
    assert response.status_code == 302
    assert response.url == reverse("member_import:detail", kwargs={"slug": community.slug, "pk": member_import.pk})
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["preview"].counts == {"create": 1, "add": 1, "update": 1, "skip": 2}
    html = page.content.decode()
    assert "The same e-mail as row 2." in html
    assert "“broken” is not a valid e-mail address." in html
    assert "Import 3 people" in html
    assert User.objects.count() == 3  # nothing imported before confirming
    assert member_import.status == MemberImport.Status.PREVIEW


def test_the_preview_shows_only_the_first_20_rows(client, community, manager):
    client.force_login(manager)
    content = "email\n" + "".join(f"p{i}@example.org\n" for i in range(30))

    upload(client, community, content)

    page = client.get(
        reverse("member_import:detail", kwargs={"slug": community.slug, "pk": MemberImport.objects.get().pk})
    )
    assert len(page.context["preview"].first) == 20
    assert page.context["preview"].counts["create"] == 30


def test_a_file_over_5_mb_gets_a_clear_error(client, community, manager):
    client.force_login(manager)
    big = b"email\n" + b"someone@example.org\n" * (5 * 1024 * 1024 // 20 + 10)

    response = upload(client, community, big)

    assert response.status_code == 200
    assert "larger than 5 MB" in response.content.decode()
    assert not MemberImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,city\nAnna,Moscow\n", "no e-mail column"),
        ("email\n", "no people in it"),
        ("", "empty"),
    ],
)
def test_unusable_files_are_refused_next_to_the_field(client, community, manager, content, message):
    client.force_login(manager)

    response = upload(client, community, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MemberImport.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, community):
    response = client.get(reverse("member_import:start", kwargs={"slug": community.slug}))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


@pytest.mark.parametrize("role", ["member", "host"])
def test_members_and_hosts_cannot_import(client, community, role):
    client.force_login(MembershipFactory(community=community, role=role).user)

    assert client.get(reverse("member_import:start", kwargs={"slug": community.slug})).status_code == 404
    assert upload(client, community, GOOD).status_code == 404
    assert not MemberImport.objects.exists()


def test_a_manager_of_another_community_sees_nothing_of_this_ones_imports(client, community, manager):
    client.force_login(manager)
    upload(client, community, GOOD)
    member_import = MemberImport.objects.get()
    other = MembershipFactory(role="manager")
    client.force_login(other.user)
    kwargs = {"slug": community.slug, "pk": member_import.pk}
    their_slug = {"slug": other.community.slug, "pk": member_import.pk}

    assert client.get(reverse("member_import:detail", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("member_import:detail", kwargs=their_slug)).status_code == 404
    assert client.get(reverse("member_import:progress", kwargs=their_slug)).status_code == 404
    assert client.post(reverse("member_import:confirm", kwargs=their_slug)).status_code == 404
    assert client.post(reverse("member_import:cancel", kwargs=their_slug)).status_code == 404
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.PREVIEW


# Running it ---------------------------------------------------------------------------------------


def test_confirming_creates_people_memberships_tags_and_activity(client, commit, community, manager):
    client.force_login(manager)

    member_import = run_import(client, commit, community, GOOD)

    assert member_import.status == MemberImport.Status.DONE
    assert (member_import.created_count, member_import.updated_count, member_import.skipped_count) == (2, 0, 0)
    anna = User.objects.get(email="anna@example.org")
    assert (anna.name, anna.phone, anna.city, anna.has_usable_password()) == (
        "Anna Petrova",
        "+79000000001",  # stored as E.164 whichever way the file wrote it
        "Moscow",
        False,
    )
    membership = Membership.objects.get(community=community, user=anna)
    assert (membership.source, membership.status, membership.stage) == ("import", "active", "new")
    assert sorted(membership.tags.values_list("name", flat=True)) == ["donors", "runners"]
    assert Membership.objects.get(community=community, user__email="boris@example.org").role == "host"
    assert Activity.objects.filter(community=community, kind=Activity.Kind.IMPORTED, actor=manager).count() == 2


def test_the_report_lists_every_row_that_was_not_imported(client, commit, community, manager):
    UserFactory(email="existing@example.org")
    MembershipFactory(community=community, user=UserFactory(email="member@example.org"))
    MembershipFactory(community=community, user=UserFactory(email="left@example.org"), status="left")
    client.force_login(manager)
    content = (
        "email,name,tags\n"
        "new@example.org,New,\n"
        "EXISTING@example.org,Existing,\n"
        "member@example.org,Member,vip\n"
        "left@example.org,Left,\n"
        "bad address,Bad,\n"
        "new@example.org,New again,\n"
    )

    member_import = run_import(client, commit, community, content)

    assert (member_import.created_count, member_import.updated_count, member_import.skipped_count) == (1, 2, 3)
    assert member_import.processed_rows == member_import.total_rows == 6
    assert [e["row"] for e in member_import.errors] == [5, 6, 7]
    assert User.objects.filter(email__iexact="existing@example.org").count() == 1
    assert Membership.objects.get(community=community, user__email="member@example.org").tags.get().name == "vip"
    assert Membership.objects.get(community=community, user__email="left@example.org").status == "left"
    page = client.get(reverse("member_import:detail", kwargs={"slug": community.slug, "pk": member_import.pk}))
    html = page.content.decode()
    assert "left or was removed from the community" in html
    assert "“bad address” is not a valid e-mail address." in html
    assert "The same e-mail as row 2." in html


def test_a_pending_join_request_is_approved_by_the_import(client, commit, community, manager):
    pending = MembershipFactory(community=community, status="pending", joined_at=None)
    client.force_login(manager)

    member_import = run_import(client, commit, community, f"email\n{pending.user.email}\n")

    pending.refresh_from_db()
    assert pending.status == "active"
    assert member_import.updated_count == 1


def test_running_the_task_twice_duplicates_nobody(client, commit, community, manager):
    client.force_login(manager)
    member_import = run_import(client, commit, community, GOOD)

    member_import.status = MemberImport.Status.RUNNING  # as if a lost worker's task came back
    member_import.save()
    import_services.member_import_run(import_id=member_import.pk)
    import_services.member_import_run(import_id=member_import.pk)

    member_import.refresh_from_db()
    assert (member_import.created_count, member_import.updated_count, member_import.processed_rows) == (2, 0, 2)
    assert Membership.objects.filter(community=community, source="import").count() == 2
    assert Activity.objects.filter(kind=Activity.Kind.IMPORTED).count() == 2


def test_an_interrupted_import_resumes_where_it_stopped(community, manager):
    content = "email\n" + "".join(f"p{i}@example.org\n" for i in range(7))
    member_import = import_services.member_import_create(
        community=community, actor=manager, file_name="p.csv", raw=content.encode()
    )
    MemberImport.objects.filter(pk=member_import.pk).update(status=MemberImport.Status.RUNNING)
    import_services._import_batch(
        member_import=MemberImport.objects.get(pk=member_import.pk),
        rows=imports.parse(content).rows[:3],
        now=member_import.created_at,
    )

    import_services.member_import_run(import_id=member_import.pk, batch_size=2)

    member_import.refresh_from_db()
    assert (member_import.status, member_import.created_count, member_import.processed_rows) == ("done", 7, 7)
    assert Membership.objects.filter(community=community, source="import").count() == 7


def test_the_progress_fragment_polls_until_done_then_shows_the_report(client, community, manager):
    client.force_login(manager)
    upload(client, community, GOOD)
    member_import = MemberImport.objects.get()
    MemberImport.objects.filter(pk=member_import.pk).update(status=MemberImport.Status.RUNNING, processed_rows=1)
    url = reverse("member_import:progress", kwargs={"slug": community.slug, "pk": member_import.pk})

    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    import_services.member_import_run(import_id=member_import.pk)  # processes what is left
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 1s"' in running
    assert "1 of 2 rows done" in running
    assert "<html" not in running
    assert 'hx-trigger="every 1s"' not in done
    assert "Report" in done


def test_confirming_twice_queues_it_once(client, commit, community, manager):
    client.force_login(manager)
    member_import = run_import(client, commit, community, GOOD)

    with commit():
        response = client.post(
            reverse("member_import:confirm", kwargs={"slug": community.slug, "pk": member_import.pk}), follow=True
        )

    assert "already been started" in response.content.decode()
    assert User.objects.filter(email="anna@example.org").count() == 1


def test_a_preview_can_be_cancelled(client, community, manager):
    client.force_login(manager)
    upload(client, community, GOOD)
    member_import = MemberImport.objects.get()

    response = client.post(reverse("member_import:cancel", kwargs={"slug": community.slug, "pk": member_import.pk}))

    assert response.status_code == 302
    assert not MemberImport.objects.exists()
    assert not User.objects.filter(email="anna@example.org").exists()


def test_the_start_page_lists_earlier_imports(client, commit, community, manager, django_assert_max_num_queries):
    client.force_login(manager)
    run_import(client, commit, community, GOOD)

    response = client.get(reverse("member_import:start", kwargs={"slug": community.slug}))

    assert response.status_code == 200
    assert "people.csv" in response.content.decode()
    assert "2 new, 0 existing, 0 skipped" in response.content.decode()


def test_tags_in_any_letter_case_join_the_communitys_tag(client, commit, community, manager):
    Tag.objects.create(community=community, name="волонтёр")
    client.force_login(manager)
    content = "email,name,tags\na@example.org,A,Волонтёр\nb@example.org,B,ВОЛОНТЁР;Доноры\nc@example.org,C,доноры\n"

    run_import(client, commit, community, content)

    assert sorted(Tag.objects.filter(community=community).values_list("name", flat=True)) == ["Доноры", "волонтёр"]
    tagged = Membership.objects.filter(community=community, tags__name="волонтёр")
    assert sorted(tagged.values_list("user__email", flat=True)) == ["a@example.org", "b@example.org"]
