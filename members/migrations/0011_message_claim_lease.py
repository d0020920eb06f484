"""Outbound messages are claimed with a lease before sending and carry one Message-ID per row."""

from email.utils import make_msgid

from django.conf import settings
from django.db import migrations, models

import members.models


def fill_message_ids(apps, schema_editor):
    OutboundMessage = apps.get_model("members", "OutboundMessage")
    for pk in OutboundMessage.objects.values_list("pk", flat=True).iterator():
        OutboundMessage.objects.filter(pk=pk).update(message_id=make_msgid(domain=settings.MESSAGE_ID_DOMAIN))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_job_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AddField(
            model_name="outboundmessage",
            name="message_id",
            field=models.CharField(editable=False, max_length=200, null=True, verbose_name="Message-ID"),
        ),
        migrations.RunPython(fill_message_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="outboundmessage",
            name="message_id",
            field=models.CharField(
                default=members.models.new_message_id,
                editable=False,
                max_length=200,
                unique=True,
                verbose_name="Message-ID",
            ),
        ),
        migrations.AlterField(
            model_name="outboundmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("sending", "sending"),
                    ("sent", "sent"),
                    ("failed", "failed"),
                    ("skipped", "not sent: opted out"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
