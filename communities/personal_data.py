"""What communities forget when a person deletes their account (registered in CommunitiesConfig.ready()).

Memberships, contact logs, check-in entries and call-to-action responses go with the account (they
cascade); invitations to the person's address and their rows in uploaded CSV files are removed here.
"""

from communities.models import Invitation, MemberImport
from members.services import personal_text, user_anonymiser


@user_anonymiser(covers=["communities.Invitation"])
def invitations_forget(*, departing):
    Invitation.objects.filter(email__iexact=departing.email).delete()


@user_anonymiser(covers=["communities.MemberImport"])
def imports_forget(*, departing):
    """The person's lines leave every uploaded CSV (the header and other people's lines stay), and their
    entry leaves the report of skipped rows."""
    pattern = departing.pattern
    for member_import in MemberImport.objects.filter(departing.mentioned_in("content", "errors")):
        lines = member_import.content.splitlines(keepends=True)
        member_import.content = "".join(lines[:1] + [line for line in lines[1:] if not pattern.search(line)])
        member_import.errors = [e for e in member_import.errors if not pattern.search(str(e.get("email", "")))]
        member_import.save(update_fields=["content", "errors"])


personal_text("communities.Community", "description")
personal_text("communities.Membership", "message")
personal_text("communities.Invitation", "message")
personal_text("communities.Announcement", "title", "body")
personal_text("communities.ContactLog", "note")
personal_text("communities.CheckinEntry", "details")
personal_text("communities.CallToAction", "title", "body")
personal_text("communities.MemberImport", "file_name")
