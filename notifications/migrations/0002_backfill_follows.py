"""Fans who voted or commented before following existed follow those concerns."""

from django.db import migrations


def follow_earlier_participants(apps, schema_editor):
    Follow = apps.get_model("notifications", "Follow")
    Vote = apps.get_model("discussions", "Vote")
    Comment = apps.get_model("discussions", "Comment")
    first = {}
    for user_id, concern_id, when in Vote.objects.values_list("user", "concern", "created_at"):
        first[(user_id, concern_id)] = min(when, first.get((user_id, concern_id), when))
    for user_id, concern_id, when in Comment.objects.values_list(
        "author", "concern", "created_at"
    ):
        first[(user_id, concern_id)] = min(when, first.get((user_id, concern_id), when))
    Follow.objects.bulk_create(
        [Follow(user_id=u, concern_id=c, created_at=when) for (u, c), when in first.items()],
        ignore_conflicts=True,
    )


def forget_follows(apps, schema_editor):
    apps.get_model("notifications", "Follow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("discussions", "0004_backfill_daily_shifts"),
    ]

    operations = [migrations.RunPython(follow_earlier_participants, forget_follows)]
