"""A person who appears everywhere deletes their account; a dump of the whole database no longer names them."""

import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from communities.crm.models import MemberImport
from communities.crm.services.contacts import contact_log_create, directory_message_send
from communities.crm.services.imports import member_import_confirm, member_import_create
from communities.models import Community, Invitation, Membership
from communities.services.invitations import invitation_send
from events.models import Registration
from events.services.registrations import registration_create
from fundraising.models import Campaign, Donation, Fundraiser, FundraiserUpdate, Subscription, Team
from fundraising.services import donation_start, donation_transition, fundraiser_open, fundraiser_update_post
from fundraising.services.donor_consents import donor_consents_set
from members import services
from members.models import User
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "zinaida.krutikova@example.org"
NAME = "Zinaida Krutikova"
PHONE = "+7 912 345-67-89"
CSV = f"email,name,phone\n{EMAIL},{NAME},{PHONE}\nboris@example.org,Boris Orlov,+7 900 000-00-01\n"


def give(campaign, *, fundraiser=None, amount="1000", name, email, user=None, **donor):
    donation, _url = donation_start(
        campaign=campaign,
        fundraiser=fundraiser,
        amount=amount,
        donor={"name": name, "email": email, **donor},
        user=user,
    )
    donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)
    return donation


def pg_dump_text():
    """The whole test database as plain SQL, as a backup would hold it, lower-cased."""
    binary = shutil.which("pg_dump")
    assert binary, "pg_dump is needed (Debian package postgresql-client; .ci/run installs it)"
    db = connection.settings_dict
    env = {"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
    command = [binary, "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]]
    return subprocess.run(command, capture_output=True, check=True, env=env, text=True).stdout.lower()


def mentions(dump):
    needles = [EMAIL, NAME, PHONE, re.sub(r"\D", "", PHONE)]
    return {needle for needle in needles if needle.lower() in dump}


@pytest.fixture
def everywhere(client, commit):
    """The person as an imported member, host, co-manager, fundraiser owner and team captain, donor
    (signed in and as a guest), guest and member at events, invitee, subject of notes and e-mails,
    and of a failed sign-in."""
    with commit():
        manager = UserFactory(name="Maria Manager")
        runners = CommunityFactory(name="Runners", slug="runners")
        trustees = CommunityFactory(name="Trustees", slug="trustees")
        MembershipFactory(user=manager, community=runners, role="manager")
        MembershipFactory(user=manager, community=trustees, role="manager")
        choir = CommunityFactory(name="Choir", slug="choir")
        MembershipFactory(user=manager, community=choir, role="manager")
        upload = member_import_create(community=runners, actor=manager, file_name="people.csv", raw=CSV.encode())
        member_import_confirm(member_import=upload, by=manager)
    with commit():
        person = User.objects.get(email=EMAIL)
        person.set_password(PASSWORD)
        person.save()
        Membership.objects.filter(user=person).update(role="host")
        MembershipFactory(user=person, community=trustees, role="manager")
        services.consent_record(user=person, kind="personal_data", granted=True, source="sign-up")

        campaign = Campaign.objects.create(
            community=runners, title="Warm winter", slug="warm-winter", goal=Decimal("100000"), status="active"
        )
        fundraiser = fundraiser_open(
            campaign=campaign,
            owner=person,
            title="Ten kilometres for warmth",
            goal="20000",
            story=f"<p>I am {NAME}, call me on {PHONE}.</p>",
            team_name="Morning runners",
        )
        fundraiser_update_post(fundraiser=fundraiser, actor=person, title="Halfway", body=f"Thanks! {NAME}")
        give(campaign, fundraiser=fundraiser, name="Boris Donor", email="boris.donor@example.org", message="Go!")
        give(campaign, name=NAME, email=EMAIL.upper(), message=f"From {NAME}", message_private=True)
        give(campaign, fundraiser=fundraiser, amount="500", name=NAME, email=EMAIL, user=person)
        give(
            campaign,
            amount="700",
            name="Olga",
            email="olga@example.org",
            dedication_kind="honour",
            dedication_name=NAME,
        )

        Subscription.objects.create(
            campaign=campaign,
            amount=Decimal("300"),
            currency="RUB",
            day=5,
            status="active",
            donor_name=NAME,
            donor_email=EMAIL,
            donor_key=EMAIL,
            user=person,
            provider="sandbox",
            card_label=f"Visa 4242 {NAME}",
        )
        donor_consents_set(by_email=EMAIL.upper(), choices={"reports": True, "statements": True}, source="giving")
        event = EventFactory(community=runners, hosts=[person], title="Park run", created_by=person)
        later = EventFactory(community=runners, starts_at=timezone.now() + timedelta(days=20))
        past = EventFactory(community=runners, title="Spring run")
        registration_create(event=event, guest_name=NAME, guest_email=EMAIL)
        registration_create(event=later, user=person)
        attended = registration_create(event=past, guest_name=NAME, guest_email=EMAIL)
        Registration.objects.filter(pk=attended.pk).update(status="attended")
        past.starts_at = timezone.now() - timedelta(days=3)
        past.save(update_fields=["starts_at"])

        membership = Membership.objects.get(user=person, community=runners)
        contact_log_create(membership=membership, actor=manager, kind="call", note=f"{NAME} asked to call +79123456789")
        directory_message_send(
            community=runners,
            actor=manager,
            memberships=Membership.objects.filter(pk=membership.pk),
            subject=f"Hello {NAME}",
            body="See you",
        )
        invitation_send(community=choir, email=EMAIL.title(), actor=manager, message=f"Dear {NAME}")
        client.post(reverse("account_login"), {"login": EMAIL, "password": "wrong password"})
        LogEntry.objects.log_actions(
            user_id=manager.pk,
            queryset=[person],
            action_flag=CHANGE,
            change_message=f"Changed phone of {NAME}",
        )
    return {"person": person, "campaign": campaign, "fundraiser": fundraiser, "manager": manager}


@pytest.mark.django_db(transaction=True)
def test_a_deleted_person_leaves_no_email_name_or_phone_in_a_dump_of_the_database(everywhere):
    campaign, fundraiser = everywhere["campaign"], everywhere["fundraiser"]
    assert mentions(pg_dump_text()) == {EMAIL, NAME, PHONE, "79123456789"}  # the dump does see them
    before = Campaign.objects.values("raised_amount", "donor_count", "donation_count").get(pk=campaign.pk)
    raised = Fundraiser.objects.get(pk=fundraiser.pk).raised_amount
    amounts = sorted(Donation.objects.values_list("amount", "succeeded_at"))

    services.user_delete(user=everywhere["person"], password=PASSWORD)

    dump = pg_dump_text()
    assert mentions(dump) == set(), [line for line in dump.splitlines() if mentions(line)]
    assert Campaign.objects.values("raised_amount", "donor_count", "donation_count").get(pk=campaign.pk) == before
    assert sorted(Donation.objects.values_list("amount", "succeeded_at")) == amounts
    kept = Fundraiser.objects.get(pk=fundraiser.pk)
    assert (kept.owner, kept.status, kept.raised_amount) == (None, "active", raised)
    assert kept.story == "<p>I am a former supporter, call me on a former supporter.</p>"
    assert FundraiserUpdate.objects.get().body == "Thanks! a former supporter"
    assert Team.objects.get().captain is None
    assert Subscription.objects.get().status == "cancelled"  # no month is charged again
    assert Registration.objects.filter(status="attended").count() == 1  # the past stays counted
    assert not Registration.objects.filter(status="confirmed", event__starts_at__gt=timezone.now()).exists()
    assert not Invitation.objects.exists()
    assert MemberImport.objects.get().content == "email,name,phone\nboris@example.org,Boris Orlov,+7 900 000-00-01\n"


def test_a_fundraiser_page_stays_under_a_former_supporter(client, everywhere):
    fundraiser = everywhere["fundraiser"]

    services.user_delete(user=everywhere["person"], password=PASSWORD)

    page = client.get(fundraiser.get_absolute_url())
    assert page.status_code == 200
    assert "a former supporter is raising funds for" in page.content.decode()
    assert NAME not in page.content.decode()
    api = client.get(reverse("api:fundraiser-detail", args=[fundraiser.pk])).json()
    assert api["owner_name"] == "a former supporter"


def test_a_community_may_hide_the_fundraisers_of_people_who_leave(client, everywhere):
    fundraiser = everywhere["fundraiser"]
    Community.objects.filter(slug="runners").update(departed_fundraisers="hide")

    services.user_delete(user=everywhere["person"], password=PASSWORD)

    fundraiser.refresh_from_db()
    assert (fundraiser.status, fundraiser.hidden_reason) == ("hidden", "The owner deleted their account.")
    assert client.get(fundraiser.get_absolute_url()).status_code == 404
    assert fundraiser.raised_amount == Decimal("1500.00")


def test_a_gift_to_a_former_supporters_fundraiser_tells_nobody_about_the_owner(everywhere, commit, mailoutbox):
    fundraiser = everywhere["fundraiser"]
    services.user_delete(user=everywhere["person"], password=PASSWORD)
    mailoutbox.clear()

    with commit():
        give(everywhere["campaign"], fundraiser=Fundraiser.objects.get(pk=fundraiser.pk), name="Ann", email="a@x.org")

    assert [m.to for m in mailoutbox] == [["a@x.org"]]  # the receipt only


# Models that hold no personal data of their own beyond links that vanish with the person (set to
# null or cascaded), with the reason.
NOTHING_PERSONAL = {
    "auth.Permission": "no people",
    "auth.Group": "no people",
    "contenttypes.ContentType": "no people",
    "sessions.Session": "signed session ids; expire on their own",
    "authtoken.Token": "cascades with the account",
    "authtoken.TokenProxy": "proxy of Token",
    "account.EmailAddress": "cascades with the account",
    "account.EmailConfirmation": "cascades with the address",
    "members.User": "the account itself is deleted",
    "members.ConsentRecord": "cascades with the account",
    "members.CommunityPreference": "cascades with the account",
    "communities.InviteLink": "the creator's link is set to null",
    "communities.Tag": "no people",
    "routine.CallToActionResponse": "cascades with the membership",
    "routine.OnboardingStep": "texts written for everyone",
    "events.RegistrationQuestion": "no people",
    "fundraising.DonationDay": "sums only",
    "fundraising.SandboxCard": "the test provider's card token",
    "fundraising.SandboxRefund": "the test provider's refund: amounts and references",
    "fundraising.CampaignDay": "sums only",
}


OUR_APPS = ("members", "communities", "crm", "routine", "insights", "events", "fundraising")


def _holds_people(model):
    for field in model._meta.get_fields():
        if isinstance(field, models.EmailField):
            return True
        linked = isinstance(field, models.ForeignKey) and field.related_model is User
        if linked and field.remote_field.on_delete is not models.CASCADE:
            return True
    return False


def test_every_model_that_may_hold_personal_data_registers_what_deletion_does_with_it(db):
    covered = services.personal_data_covered()
    checked = set()
    for model in apps.get_models():
        label = model._meta.label
        if label in NOTHING_PERSONAL:
            continue
        checked.add(label)
        if _holds_people(model) or model._meta.app_label in OUR_APPS:
            assert label in covered, f"{label}: register an anonymiser or a personal_text for it"
    assert {"fundraising.Donation", "events.Registration", "axes.AccessAttempt", "admin.LogEntry"} <= checked
    assert settings.AUTH_USER_MODEL == "members.User"
