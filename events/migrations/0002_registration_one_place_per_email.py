from django.db import migrations, models


def email_keys_fill(apps, schema_editor):
    """Each active registration gets its e-mail key; a second active place taken with the same e-mail
    (the fault this fixes) keeps an empty key, so nobody's registration is cancelled by the upgrade."""
    Registration = apps.get_model("events", "Registration")
    taken = set()
    rows = Registration.objects.select_related("user").order_by("event_id", "pk")
    for registration in rows.iterator(chunk_size=2000):
        email = registration.user.email if registration.user_id else registration.guest_email
        key = (email or "").strip().lower()
        if registration.status != "cancelled":
            if (registration.event_id, key) in taken:
                continue
            taken.add((registration.event_id, key))
        if key:
            Registration.objects.filter(pk=registration.pk).update(email_key=key)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_events_registrations_questions")]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="email_key",
            field=models.CharField(blank=True, editable=False, max_length=254),
        ),
        migrations.RunPython(email_keys_fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                condition=models.Q(("email_key", ""), _negated=True)
                & models.Q(("status", "cancelled"), _negated=True),
                fields=("event", "email_key"),
                name="registration_one_active_per_email",
            ),
        ),
    ]
