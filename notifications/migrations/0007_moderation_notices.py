import django.db.models.deletion
from django.db import migrations, models


def nothing_to_do(apps, schema_editor):
    """Decisions are notified from now on; none are made for older ones."""


def drop_moderation_notices(apps, schema_editor):
    """Going back: the older constraint refuses notices of decisions, so they go first."""
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(kind="moderation").delete()


class Migration(migrations.Migration):
    """Notifications of a moderator's decision on a fan's comment: shown on the site, never mailed."""

    dependencies = [
        ("moderation", "0005_hide_rules_and_review_requests"),
        ("notifications", "0006_mentions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notifications_kind_has_subject",
        ),
        migrations.AddField(
            model_name="notification",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="moderation.moderationevent",
                verbose_name="moderation decision",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("reply", "Reply to your comment"),
                    ("update", "Season 2 news on a fear you follow"),
                    ("mention", "A comment that mentions you"),
                    ("moderation", "A moderator's decision on your comment"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("event__isnull", False)),
                fields=("recipient", "event"),
                name="notifications_moderation_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comment__isnull", False), ("kind__in", ["reply", "mention"])),
                    models.Q(("kind", "update"), ("update__isnull", False)),
                    models.Q(("event__isnull", False), ("kind", "moderation")),
                    _connector="OR",
                ),
                name="notifications_kind_has_subject",
            ),
        ),
        # Last, so that going back it runs first, before the older constraint returns.
        migrations.RunPython(nothing_to_do, drop_moderation_notices),
    ]
