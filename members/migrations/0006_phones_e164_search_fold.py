"""Phones as E.164; kindred_fold() and trigram indexes for finding people (see members.search)."""

from django.db import migrations

FOLD_FUNCTION = """
CREATE OR REPLACE FUNCTION kindred_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$
"""
INDEXES = [
    "CREATE INDEX IF NOT EXISTS members_user_name_fold_trgm ON members_user USING gin (kindred_fold(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS members_user_email_fold_trgm ON members_user USING gin (kindred_fold(email) gin_trgm_ops)",
]


def fold_function_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: members.search registers the function on each connection
    for statement in [
        "CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
        FOLD_FUNCTION,
        *INDEXES,
    ]:
        schema_editor.execute(statement)


def fold_function_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS members_user_name_fold_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS members_user_email_fold_trgm")
    schema_editor.execute("DROP FUNCTION IF EXISTS kindred_fold(text)")


def phones_to_e164(apps, schema_editor):
    """Numbers that parse become E.164; anything else is kept as typed, so nothing is lost."""
    from django.core.exceptions import ValidationError

    from members.phones import phone_normalise

    User = apps.get_model("members", "User")
    for pk, phone in User.objects.exclude(phone="").values_list("pk", "phone").iterator():
        try:
            normal = phone_normalise(phone)
        except ValidationError:
            continue
        if normal != phone:
            User.objects.filter(pk=pk).update(phone=normal)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_message_attachments")]

    operations = [
        migrations.RunPython(fold_function_create, fold_function_drop),
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop),
    ]
