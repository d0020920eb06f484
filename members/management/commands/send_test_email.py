from django.core.management.base import BaseCommand

from members import services


class Command(BaseCommand):
    help = "Queue a test e-mail through the message ledger; a running worker sends it."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--language", default="en")

    def handle(self, *args, email, language, **options):
        user = services.user_find_by_email(email)
        message = services.message_send(
            key=services.unique_key("test"),
            template="hello",
            context={"name": user.get_short_name() if user else email},
            to_email=email,
            user=user,
            language=language,
        )
        self.stdout.write(f"Queued message {message.pk} to {email}; the worker will send it.")
