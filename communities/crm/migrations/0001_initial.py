"""Takes over the contact log and member imports from the communities app: the tables exist already (made by
communities 0001-0003) and keep their names, so only the migration state is created here."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

LABEL = "crm"
MODELS = ['contactlog', 'memberimport']


def content_types_move(apps, schema_editor):
    """Existing databases: the models' content types (and with them permissions) follow the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=LABEL, model=model).exists():
            ContentType.objects.filter(app_label="communities", model=model).update(app_label=LABEL)


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=LABEL, model__in=MODELS).update(app_label="communities")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('communities', '0004_move_models_to_crm_and_routine'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MemberImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=200, verbose_name='file')),
                        ('content', models.TextField(verbose_name='CSV content')),
                        ('status', models.CharField(choices=[('preview', 'waiting for confirmation'), ('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed')], default='preview', max_length=10, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('processed_rows', models.PositiveIntegerField(default=0, verbose_name='processed')),
                        ('created_count', models.PositiveIntegerField(default=0, verbose_name='created')),
                        ('updated_count', models.PositiveIntegerField(default=0, verbose_name='added existing')),
                        ('skipped_count', models.PositiveIntegerField(default=0, verbose_name='skipped')),
                        ('errors', models.JSONField(blank=True, default=list, verbose_name='row errors')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='uploaded at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='imports', to='communities.community')),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'member import',
                        'verbose_name_plural': 'member imports',
                        'db_table': 'communities_memberimport',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ContactLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('call', 'call'), ('meeting', 'meeting'), ('message', 'message'), ('note', 'note')], default='call', max_length=10, verbose_name='kind')),
                        ('outcome', models.CharField(blank=True, choices=[('reached', 'reached'), ('no_answer', 'no answer'), ('left_message', 'left a message'), ('call_back', 'asked to call back'), ('not_interested', 'not interested'), ('', '—')], default='', max_length=16, verbose_name='outcome')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('follow_up_on', models.DateField(blank=True, null=True, verbose_name='follow up on')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='logged at')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('membership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='communities.membership')),
                    ],
                    options={
                        'verbose_name': 'contact',
                        'verbose_name_plural': 'contact log',
                        'db_table': 'communities_contactlog',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['membership', '-created_at'], name='communities_members_5aeba2_idx'), models.Index(fields=['follow_up_on'], name='communities_follow__cbff94_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
