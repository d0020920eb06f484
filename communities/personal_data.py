"""What communities forget when a person deletes their account (registered in CommunitiesConfig.ready()).

Memberships go with the account (they cascade); invitations to the person's address are removed here.
The directory's contact log and imports (communities.crm) and the manager's routine
(communities.routine) register their own.
"""

from communities.models import Invitation
from members.services import personal_text, user_anonymiser


@user_anonymiser(covers=["communities.Invitation"])
def invitations_forget(*, departing):
    Invitation.objects.filter(email__iexact=departing.email).delete()


personal_text("communities.Community", "description")
personal_text("communities.Membership", "message")
personal_text("communities.Invitation", "message")
personal_text("communities.Announcement", "title", "body")
