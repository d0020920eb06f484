"""Ask the payment providers about every gift not yet final and a sample of recent final ones; repair
what differs (the hourly job does the same)."""

from django.core.management.base import BaseCommand

from fundraising.services import checks


class Command(BaseCommand):
    help = "Reconcile donations with the payment providers and repair differences."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=50, help="final gifts of recent days to check too")
        parser.add_argument("--days", type=int, default=30, help="how recent a sampled final gift is")

    def handle(self, *args, sample, days, **options):
        messages = checks.payments_reconcile(sample=sample, recent_days=days, task="manage.py reconcile_payments")
        for message in messages:
            self.stdout.write(message)
        self.stdout.write(f"{len(messages)} repairs.")
