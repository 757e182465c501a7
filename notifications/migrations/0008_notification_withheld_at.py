from django.db import migrations, models


class Migration(migrations.Migration):
    """Notifications whose mail was due after their comment left the site: marked, never mailed."""

    dependencies = [
        ("notifications", "0007_moderation_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="withheld_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When its mail was due but not sent: the comment it tells of had left the site."
                ),
                null=True,
                verbose_name="withheld from mail",
            ),
        ),
    ]
