from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0015_comment_text_outside_spoilers"),
        ("opinion", "0001_initial"),
    ]

    # opinion.0001 took over the tables; here they leave this app's state only.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="UpdateImpact"),
                migrations.DeleteModel(name="ReconsiderDismissal"),
                migrations.DeleteModel(name="DailyShift"),
                migrations.DeleteModel(name="VoteEvent"),
                migrations.DeleteModel(name="Vote"),
            ],
            database_operations=[],
        ),
    ]
