"""Takes over the check-in queue, onboarding e-mails and calls to action from the communities app: the tables exist already (made by
communities 0001-0003) and keep their names, so only the migration state is created here."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

LABEL = "routine"
MODELS = ['calltoaction', 'calltoactionresponse', 'checkinentry', 'onboardingstep']


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
        ('members', '0005_message_attachments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CallToAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(help_text='Simple formatting and links.', verbose_name='text')),
                        ('button_label', models.CharField(max_length=60, verbose_name='button label')),
                        ('link', models.URLField(blank=True, verbose_name='link for details')),
                        ('segment', models.JSONField(blank=True, default=list, help_text='directory filters', verbose_name='segment')),
                        ('recipients', models.PositiveIntegerField(default=0, verbose_name='recipients')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls_to_action', to='communities.community')),
                    ],
                    options={
                        'verbose_name': 'call to action',
                        'verbose_name_plural': 'calls to action',
                        'db_table': 'communities_calltoaction',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CallToActionResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='opened the link')),
                        ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded')),
                        ('call', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='routine.calltoaction')),
                        ('membership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='call_responses', to='communities.membership')),
                        ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='members.outboundmessage')),
                    ],
                    options={
                        'verbose_name': 'call to action recipient',
                        'verbose_name_plural': 'call to action recipients',
                        'db_table': 'communities_calltoactionresponse',
                    },
                ),
                migrations.CreateModel(
                    name='CheckinEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(choices=[('new_member', 'joined recently and nobody has called yet'), ('lapsed', 'has just lapsed'), ('host', 'hosts an upcoming event'), ('fundraiser_stalled', 'no donations to their fundraiser for two weeks'), ('fundraiser_goal', 'their fundraiser reached its goal'), ('follow_up', 'a follow-up is due'), ('replied', 'answered the weekly check-in')], max_length=20, verbose_name='reason')),
                        ('ref', models.CharField(max_length=80)),
                        ('details', models.JSONField(blank=True, default=dict, verbose_name='details')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('snoozed_until', models.DateField(blank=True, null=True, verbose_name='snoozed until')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='added at')),
                        ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkin_entries', to='communities.community')),
                        ('membership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkin_entries', to='communities.membership')),
                    ],
                    options={
                        'verbose_name': 'check-in queue entry',
                        'verbose_name_plural': 'check-in queue',
                        'db_table': 'communities_checkinentry',
                        'ordering': ['due_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='OnboardingStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week', models.PositiveSmallIntegerField(choices=[(1, 'week 1: how to take part'), (2, 'week 2: how to open a fundraiser'), (4, 'week 4: upcoming events')], verbose_name='week')),
                        ('subject_en', models.CharField(max_length=200, verbose_name='subject (English)')),
                        ('subject_ru', models.CharField(max_length=200, verbose_name='subject (Russian)')),
                        ('body_en', models.TextField(help_text='Simple formatting and links.', verbose_name='text (English)')),
                        ('body_ru', models.TextField(help_text='Simple formatting and links.', verbose_name='text (Russian)')),
                        ('enabled', models.BooleanField(default=True, verbose_name='send this e-mail')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='onboarding_steps', to='communities.community')),
                    ],
                    options={
                        'verbose_name': 'onboarding e-mail',
                        'verbose_name_plural': 'onboarding e-mails',
                        'db_table': 'communities_onboardingstep',
                        'ordering': ['community', 'week'],
                    },
                ),
                migrations.AddIndex(
                    model_name='calltoaction',
                    index=models.Index(fields=['community', '-created_at'], name='communities_communi_82c275_idx'),
                ),
                migrations.AddConstraint(
                    model_name='calltoactionresponse',
                    constraint=models.UniqueConstraint(fields=('call', 'membership'), name='call_response_once'),
                ),
                migrations.AddIndex(
                    model_name='checkinentry',
                    index=models.Index(fields=['community', 'done_at', 'due_on'], name='communities_communi_7300f9_idx'),
                ),
                migrations.AddConstraint(
                    model_name='checkinentry',
                    constraint=models.UniqueConstraint(fields=('membership', 'reason', 'ref'), name='checkin_entry_once_per_occurrence'),
                ),
                migrations.AddConstraint(
                    model_name='onboardingstep',
                    constraint=models.UniqueConstraint(fields=('community', 'week'), name='onboarding_step_unique'),
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
