"""The contact log and member imports move to communities.crm, the check-in queue, onboarding e-mails and
calls to action to communities.routine: only Django's idea of which app owns them changes here; the
tables stay as they are (the new apps' 0001 migrations take them over with the same db_table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0003_calls_to_action'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='calltoaction',
                    name='communities_communi_82c275_idx',
                ),
                migrations.RemoveConstraint(
                    model_name='calltoactionresponse',
                    name='call_response_once',
                ),
                migrations.RemoveIndex(
                    model_name='checkinentry',
                    name='communities_communi_7300f9_idx',
                ),
                migrations.RemoveConstraint(
                    model_name='checkinentry',
                    name='checkin_entry_once_per_occurrence',
                ),
                migrations.RemoveIndex(
                    model_name='contactlog',
                    name='communities_members_5aeba2_idx',
                ),
                migrations.RemoveIndex(
                    model_name='contactlog',
                    name='communities_follow__cbff94_idx',
                ),
                migrations.RemoveField(
                    model_name='memberimport',
                    name='community',
                ),
                migrations.RemoveField(
                    model_name='memberimport',
                    name='uploaded_by',
                ),
                migrations.RemoveConstraint(
                    model_name='onboardingstep',
                    name='onboarding_step_unique',
                ),
                migrations.RemoveField(
                    model_name='calltoaction',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='calltoaction',
                    name='community',
                ),
                migrations.RemoveField(
                    model_name='calltoactionresponse',
                    name='call',
                ),
                migrations.RemoveField(
                    model_name='calltoactionresponse',
                    name='membership',
                ),
                migrations.RemoveField(
                    model_name='calltoactionresponse',
                    name='message',
                ),
                migrations.RemoveField(
                    model_name='checkinentry',
                    name='assigned_to',
                ),
                migrations.RemoveField(
                    model_name='checkinentry',
                    name='community',
                ),
                migrations.RemoveField(
                    model_name='checkinentry',
                    name='membership',
                ),
                migrations.RemoveField(
                    model_name='contactlog',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='contactlog',
                    name='membership',
                ),
                migrations.DeleteModel(
                    name='MemberImport',
                ),
                migrations.RemoveField(
                    model_name='onboardingstep',
                    name='community',
                ),
                migrations.DeleteModel(
                    name='CallToAction',
                ),
                migrations.DeleteModel(
                    name='CallToActionResponse',
                ),
                migrations.DeleteModel(
                    name='CheckinEntry',
                ),
                migrations.DeleteModel(
                    name='ContactLog',
                ),
                migrations.DeleteModel(
                    name='OnboardingStep',
                ),
            ],
        ),
    ]
