from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundraisingConfig(AppConfig):
    name = "fundraising"
    verbose_name = _("Fundraising")

    def ready(self):
        # Registers what this app forgets when a person deletes their account, and the payment
        # provider's deploy checks.
        from fundraising import checks, job_notes, personal_data  # noqa: F401

        # The money checks' notes on the staff jobs page read in the reader's language.
        job_notes.register()
