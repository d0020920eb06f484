"""What the directory forgets when a person deletes their account (registered in CrmConfig.ready()).

Contact logs about the person go with their membership (they cascade); their rows in uploaded CSV
files are removed here, and mentions of them in notes about others are scrubbed.
"""

from datetime import timedelta

from django.conf import settings

from communities.crm.models import MemberImport
from members.services import personal_text, retention_rule, user_anonymiser


@user_anonymiser(covers=["crm.MemberImport"])
def imports_forget(*, departing):
    """The person's lines leave every uploaded CSV (the header and other people's lines stay), and their
    entry leaves the report of skipped rows."""
    pattern = departing.pattern
    for member_import in MemberImport.objects.filter(departing.mentioned_in("content", "errors")):
        lines = member_import.content.splitlines(keepends=True)
        member_import.content = "".join(lines[:1] + [line for line in lines[1:] if not pattern.search(line)])
        member_import.errors = [e for e in member_import.errors if not pattern.search(str(e.get("email", "")))]
        member_import.save(update_fields=["content", "errors"])


@retention_rule
def import_files(*, now):
    """Uploaded CSV files (and their skipped rows' addresses) IMPORT_FILE_RETENTION_DAYS after the import
    finished; the counts stay."""
    cutoff = now - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    finished = MemberImport.objects.filter(
        status__in=[MemberImport.Status.DONE, MemberImport.Status.FAILED], created_at__lt=cutoff
    ).exclude(content="", errors=[])
    return finished.update(content="", errors=[])


personal_text("crm.ContactLog", "note")
personal_text("crm.MemberImport", "file_name")
