"""Stories and updates were stored as sanitised HTML; they are written (and stored) in Markdown now."""

from django.db import migrations

from config.sanitize import html_to_markdown

TEXTS = [("Campaign", "story"), ("Fundraiser", "story"), ("CampaignUpdate", "body"), ("FundraiserUpdate", "body")]


def to_markdown(apps, schema_editor):
    for model_name, field in TEXTS:
        model = apps.get_model("fundraising", model_name)
        for row in model.objects.filter(**{f"{field}__contains": "<"}).only("pk", field).iterator(chunk_size=500):
            model.objects.filter(pk=row.pk).update(**{field: html_to_markdown(getattr(row, field))})


class Migration(migrations.Migration):
    dependencies = [("fundraising", "0008_donation_share_with_owner")]

    operations = [migrations.RunPython(to_markdown, migrations.RunPython.noop)]
