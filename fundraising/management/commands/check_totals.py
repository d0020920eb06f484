"""Compare the stored totals of campaigns, teams and fundraisers with fresh aggregates of their donations."""

from django.core.management.base import BaseCommand

from fundraising.services import checks


class Command(BaseCommand):
    help = "Check (and by default repair) the stored totals of campaigns, teams and fundraisers."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report drift without repairing it")

    def handle(self, *args, dry_run, **options):
        messages = checks.totals_check(repair=not dry_run, task="manage.py check_totals")
        for message in messages:
            self.stdout.write(message)
        self.stdout.write(f"{len(messages)} campaigns drifted.")
