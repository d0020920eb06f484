"""Demo data for trying Kindred: safe to run again, it never duplicates anything."""

from importlib import import_module

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from communities.routine.services.checkins import checkins_refresh
from members.models import User

DEMO_PASSWORD = "kindred-demo"
DEMO_MODULES = ["communities.demo", "members.demo", "events.demo", "fundraising.demo"]

PEOPLE = [
    # email, name, language, staff
    ("admin@kindred.test", "Olga Admin", "ru", True),
    ("manager@kindred.test", "Anna Petrova", "ru", False),
    ("volunteer@kindred.test", "Ivan Smirnov", "ru", False),
    ("maria@kindred.test", "Maria Kuznetsova", "ru", False),
    ("tom@kindred.test", "Tom Walker", "en", False),
]


class Command(BaseCommand):
    help = "Create or refresh demo people and print their logins."

    @transaction.atomic
    def handle(self, *args, **options):
        for email, name, language, staff in PEOPLE:
            self._person(email=email, name=name, language=language, staff=staff)
        # Each app adds its part, in the order the data builds on each other.
        for module in DEMO_MODULES:
            import_module(module).seed(self.stdout)
        # The managers' check-in queue fills from the data above, as the hourly job would.
        checkins_refresh()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write("  organisation admin  admin@kindred.test   (also /admin/)")
        self.stdout.write("  community manager   manager@kindred.test")
        self.stdout.write("  volunteer           volunteer@kindred.test")

    def _person(self, *, email, name, language, staff):
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "language": language, "is_staff": staff, "is_superuser": staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # Demo people have confirmed addresses, so they can sign in at once.
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user
