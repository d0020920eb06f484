import django.db.models.functions.text
from django.db import migrations, models


def merge_tags_differing_in_case(apps, schema_editor):
    """"Волонтёр" and "волонтёр" become one tag (the older one), keeping every person it was on."""
    Tag = apps.get_model("communities", "Tag")
    Through = apps.get_model("communities", "Membership").tags.through
    first = {}
    for tag in Tag.objects.order_by("community_id", "pk"):
        key = (tag.community_id, tag.name.lower())
        if key not in first:
            first[key] = tag.pk
            continue
        keep = first[key]
        have = set(Through.objects.filter(tag_id=keep).values_list("membership_id", flat=True))
        Through.objects.bulk_create(
            [
                Through(membership_id=m, tag_id=keep)
                for m in Through.objects.filter(tag_id=tag.pk).values_list("membership_id", flat=True)
                if m not in have
            ]
        )
        tag.delete()


class Migration(migrations.Migration):
    dependencies = [("communities", "0004_move_models_to_crm_and_routine")]

    operations = [
        migrations.RunPython(merge_tags_differing_in_case, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="tag", name="tag_unique_per_community"),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), models.F("community"), name="tag_unique_per_community"
            ),
        ),
    ]
