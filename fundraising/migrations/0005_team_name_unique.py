import django.db.models.functions.text
from django.db import migrations, models


def rename_duplicate_teams(apps, schema_editor):
    """Teams whose names differ only in case get a number, so the new constraint can be added."""
    Team = apps.get_model("fundraising", "Team")
    seen = set()
    for team in Team.objects.order_by("campaign_id", "pk"):
        key = (team.campaign_id, team.name.lower())
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while (team.campaign_id, f"{team.name} ({n})".lower()) in seen:
            n += 1
        team.name = f"{team.name} ({n})"[:120]
        seen.add((team.campaign_id, team.name.lower()))
        team.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("fundraising", "0004_donation_day_indexes")]

    operations = [
        migrations.RunPython(rename_duplicate_teams, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), models.F("campaign"), name="team_name_unique_per_campaign"
            ),
        ),
    ]
