"""CSV imports of people into a community: preview, then a worker in batches."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.services.membership import require_manager
from members.models import Activity, AuditEntry, User
from members.services.activity import activity_record_many
from members.services.audit import audit_record
from members.services.erasure import MemberError

IMPORT_BATCH_SIZE = 500


def member_import_create(*, community, actor, file_name, raw):
    """Keep an uploaded CSV for its preview. Raises MemberError when the file cannot be used at all."""
    from communities.crm import imports
    from communities.crm.models import MemberImport

    require_manager(actor=actor, community=community)
    if len(raw) > imports.MAX_BYTES:
        raise MemberError(_("The file is larger than 5 MB. Split it into smaller files and import them one by one."))
    try:
        content = imports.decode(raw)
        parsed = imports.parse(content)
    except imports.ImportFileError as exc:
        raise MemberError(str(exc)) from exc
    if not parsed.rows:
        raise MemberError(_("The file has a header line but no people in it."))
    return MemberImport.objects.create(
        community=community,
        uploaded_by=actor,
        file_name=(file_name or "members.csv")[:200],
        content=content,
        total_rows=len(parsed.rows),
    )


def member_import_confirm(*, member_import, by):
    """The manager saw the preview and wants it done: queue the worker once.

    `by` must manage the import's community (CommunityError otherwise); the import is audited.
    """
    from communities.crm.models import MemberImport

    require_manager(actor=by, community=member_import.community)
    with transaction.atomic():
        claimed = MemberImport.objects.filter(pk=member_import.pk, status=MemberImport.Status.PREVIEW).update(
            status=MemberImport.Status.QUEUED
        )
        if not claimed:
            raise MemberError(_("This import has already been started."))
        _import_run_on_commit(member_import.pk)
        audit_record(
            actor=by,
            action=AuditEntry.Action.IMPORTED,
            community=member_import.community,
            target=member_import,
            summary=f"{member_import.total_rows} rows",
        )
    member_import.refresh_from_db()
    return member_import


def member_import_cancel(*, member_import, actor):
    from communities.crm.models import MemberImport

    require_manager(actor=actor, community=member_import.community)
    deleted, _rows = MemberImport.objects.filter(pk=member_import.pk, status=MemberImport.Status.PREVIEW).delete()
    if not deleted:
        raise MemberError(_("This import has already been started and cannot be cancelled."))


def _import_run_on_commit(import_id):
    from communities.crm.tasks import member_import_run

    member_import_run.delay_on_commit(import_id)


def member_import_run(*, import_id, now=None, batch_size=IMPORT_BATCH_SIZE):
    """Import the rows of a confirmed CSV, a batch per transaction, resuming where the last one stopped.

    Each batch locks the import row and moves its counters with the rows it did, so running this
    twice (or in two workers) does every row once.
    """
    from communities.crm import imports
    from communities.crm.models import MemberImport

    member_import = MemberImport.objects.filter(pk=import_id).first()
    if member_import is None or member_import.status not in (MemberImport.Status.QUEUED, MemberImport.Status.RUNNING):
        return member_import
    rows = imports.parse(member_import.content).rows
    MemberImport.objects.filter(pk=import_id, status=MemberImport.Status.QUEUED).update(
        status=MemberImport.Status.RUNNING
    )
    while True:
        with transaction.atomic():
            member_import = MemberImport.objects.select_for_update().select_related("community").get(pk=import_id)
            if member_import.status != MemberImport.Status.RUNNING:
                return member_import
            batch = rows[member_import.processed_rows : member_import.processed_rows + batch_size]
            if not batch:
                member_import.status, member_import.finished_at = MemberImport.Status.DONE, now or timezone.now()
                member_import.save(update_fields=["status", "finished_at"])
                return member_import
            _import_batch(member_import=member_import, rows=batch, now=now or timezone.now())


def _import_batch(*, member_import, rows, now):
    from communities.crm import imports

    classified = imports.rows_classify(rows=rows, community=member_import.community)
    by_outcome = {outcome: [c for c in classified if c.outcome == outcome] for outcome in imports.Classified.OUTCOMES}
    user_ids = _import_users(member_import=member_import, classified=classified, now=now)
    _import_memberships(member_import=member_import, classified=classified, user_ids=user_ids, now=now)
    member_import.processed_rows += len(rows)
    member_import.created_count += len(by_outcome[imports.CREATE])
    member_import.updated_count += len(by_outcome[imports.ADD]) + len(by_outcome[imports.UPDATE])
    member_import.skipped_count += len(by_outcome[imports.SKIP])
    member_import.errors = member_import.errors + [
        {"row": c.row.number, "email": c.row.email[:254], "errors": c.row.errors} for c in by_outcome[imports.SKIP]
    ]
    member_import.save(update_fields=["processed_rows", "created_count", "updated_count", "skipped_count", "errors"])


def _import_users(*, member_import, classified, now):
    """Create the people who are new (no password: they set one through "forgot password"); {email: id}."""
    from communities.crm import imports

    language = member_import.uploaded_by.language if member_import.uploaded_by else settings.LANGUAGE_CODE
    new_people = []
    for item in classified:
        if item.outcome == imports.CREATE:
            row = item.row
            person = User(email=row.email, name=row.name, phone=row.phone, city=row.city, date_joined=now)
            person.language, person.timezone = language, member_import.community.timezone
            person.set_unusable_password()
            new_people.append(person)
    # A sign-up between the preview and now is not an error: that person is simply added.
    User.objects.bulk_create(new_people, ignore_conflicts=True)
    emails = [item.row.email for item in classified if item.outcome != imports.SKIP]
    people = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    return dict(people.values_list("email_lower", "pk"))


def _import_memberships(*, member_import, classified, user_ids, now):
    from communities.crm import imports
    from communities.models import Membership

    community = member_import.community
    rows = [item.row for item in classified if item.outcome != imports.SKIP]
    joining = [item.row for item in classified if item.outcome in (imports.CREATE, imports.ADD)]
    Membership.objects.bulk_create(
        [
            Membership(
                community=community,
                user_id=user_ids[row.email],
                role=row.role,
                source=Membership.Source.IMPORT,
                joined_at=now,
                requested_at=now,
            )
            for row in joining
        ],
        ignore_conflicts=True,
    )
    # A pending join request from someone the manager imports is as good as approved.
    Membership.objects.filter(
        community=community, user_id__in=[user_ids[r.email] for r in joining], status=Membership.Status.PENDING
    ).update(status=Membership.Status.ACTIVE, joined_at=now)
    _import_tags(community=community, rows=rows, user_ids=user_ids)
    activity_record_many(
        [
            Activity(
                user_id=user_ids[row.email],
                community=community,
                kind=Activity.Kind.IMPORTED,
                actor_id=member_import.uploaded_by_id,
                summary=member_import.file_name[:300],
                data={"import": member_import.pk},
                occurred_at=now,
            )
            for row in joining
        ]
    )


def _import_tags(*, community, rows, user_ids):
    """Add each row's tags to its membership, creating the community's tags that are new."""
    from communities.models import Membership, Tag

    people = Membership.objects.filter(community=community, user_id__in=[user_ids[r.email] for r in rows])
    memberships = dict(people.values_list("user_id", "pk"))
    # Tags are one whatever their letter case: "Волонтёр" in the file joins the community's "волонтёр".
    names = {}
    for name in (tag for row in rows for tag in row.tags):
        names.setdefault(name.lower(), name)

    def community_tags():  # folded in Python: SQLite's lower() knows only ASCII letters
        return {name.lower(): pk for name, pk in Tag.objects.filter(community=community).values_list("name", "pk")}

    known = community_tags()
    new_tags = [Tag(community=community, name=name) for key, name in names.items() if key not in known]
    Tag.objects.bulk_create(new_tags, ignore_conflicts=True)
    tag_ids = community_tags() if new_tags else known
    Membership.tags.through.objects.bulk_create(
        [
            Membership.tags.through(membership_id=memberships[user_ids[row.email]], tag_id=tag_ids[name.lower()])
            for row in rows
            for name in row.tags
        ],
        ignore_conflicts=True,
    )


def member_imports_resume(*, now=None):
    """Queue again imports whose worker was lost; a second run of a live one does nothing twice."""
    from communities.crm.models import MemberImport

    cutoff = (now or timezone.now()) - timedelta(minutes=10)
    stuck = MemberImport.objects.filter(
        status__in=[MemberImport.Status.QUEUED, MemberImport.Status.RUNNING], created_at__lt=cutoff
    )
    ids = list(stuck.values_list("pk", flat=True)[:100])
    for import_id in ids:
        _import_run_on_commit(import_id)
    return len(ids)


def member_import_fail(*, import_id, now=None):
    from communities.crm.models import MemberImport

    MemberImport.objects.filter(
        pk=import_id, status__in=[MemberImport.Status.QUEUED, MemberImport.Status.RUNNING]
    ).update(status=MemberImport.Status.FAILED, finished_at=now or timezone.now())
