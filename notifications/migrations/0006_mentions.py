from django.db import migrations, models


def nothing_to_do(apps, schema_editor):
    """Mentions are notified from now on; none are made for older comments."""


def drop_mention_notifications(apps, schema_editor):
    """Going back: the older constraint refuses mention notifications, so they go first."""
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(kind="mention").delete()


class Migration(migrations.Migration):
    """Notifications of comments that mention a fan (@name); their mail rides on replies'."""

    dependencies = [
        ("notifications", "0005_mail_preferences"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mailpreference",
            name="replies",
            field=models.CharField(
                choices=[
                    ("instant", "At once"),
                    ("digest", "In a daily digest"),
                    ("never", "Never"),
                ],
                default="instant",
                help_text="Also comments that mention you (@your name).",
                max_length=10,
                verbose_name="replies to your comments",
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
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="notification",
            name="notifications_kind_has_subject",
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comment__isnull", False), ("kind__in", ["reply", "mention"])),
                    models.Q(("kind", "update"), ("update__isnull", False)),
                    _connector="OR",
                ),
                name="notifications_kind_has_subject",
            ),
        ),
        # Last, so that going back it runs first, before the older constraint returns.
        migrations.RunPython(nothing_to_do, drop_mention_notifications),
    ]
