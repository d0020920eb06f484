"""A 5,000-row CSV imported by a real Celery worker consuming from Redis."""

import pytest

from communities.crm.models import MemberImport
from communities.crm.services import imports as import_services
from communities.models import Membership
from members.models import Activity, User
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.members.test_worker import wait_for, worker  # noqa: F401  (the worker fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_5000_row_file_is_imported_by_the_worker_with_correct_counts(worker):  # noqa: F811
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    UserFactory.create_batch(100, verified=False)  # person0..: already on Kindred
    existing = list(User.objects.exclude(pk=manager.pk).values_list("email", flat=True))
    lines = ["email;name;city;tags"]
    lines += [f"{email.upper()};Existing;Omsk;old" for email in existing]  # 100 added, found case-insensitively
    lines += [f"new{i}@example.org;Person {i};Tver;new,csv" for i in range(4800)]  # 4,800 created
    lines += [f"broken-{i};Bad;;" for i in range(60)]  # 60 invalid
    lines += [f"new{i}@example.org;Again;;" for i in range(40)]  # 40 duplicates within the file
    member_import = import_services.member_import_create(
        community=community, actor=manager, file_name="big.csv", raw="\n".join(lines).encode()
    )
    assert member_import.total_rows == 5000

    import_services.member_import_confirm(member_import=member_import, by=manager)

    assert wait_for(lambda: MemberImport.objects.get(pk=member_import.pk).status == "done", seconds=180)
    member_import.refresh_from_db()
    assert (member_import.created_count, member_import.updated_count, member_import.skipped_count) == (4800, 100, 100)
    assert member_import.processed_rows == 5000
    assert len(member_import.errors) == 100
    assert User.objects.count() == 1 + 100 + 4800
    assert Membership.objects.filter(community=community, source="import").count() == 4900
    assert Activity.objects.filter(community=community, kind=Activity.Kind.IMPORTED).count() == 4900
    assert Membership.objects.filter(community=community, tags__name="csv").count() == 4800

    # Sent again (a lost acknowledgement, a second click): nothing changes.
    import_services._import_run_on_commit(member_import.pk)
    import_services.member_imports_resume()
    assert not wait_for(lambda: User.objects.count() != 4901, seconds=2)
    member_import.refresh_from_db()
    assert (member_import.created_count, member_import.processed_rows) == (4800, 5000)
