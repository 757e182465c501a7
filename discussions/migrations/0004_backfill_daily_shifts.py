"""Rebuild the chart's daily shifts from the vote history recorded so far."""

from django.db import migrations
from django.utils import timezone

CHANGE_BY_ACTION = {
    # action: (sign of the previous verdict, sign of the new verdict)
    "cast": (0, 1),
    "change": (-1, 1),
    "clear": (-1, 0),
    "reconfirm": (0, 0),
}


def backfill_shifts(apps, schema_editor):
    VoteEvent = apps.get_model("discussions", "VoteEvent")
    DailyShift = apps.get_model("discussions", "DailyShift")
    Vote = apps.get_model("discussions", "Vote")
    totals = {}
    events = VoteEvent.objects.order_by("created_at", "pk").values_list(
        "concern_id", "created_at", "action", "previous_verdict", "verdict"
    )
    for concern_id, created_at, action, previous, verdict in events.iterator():
        day = timezone.localdate(created_at)
        j, o = totals.get((concern_id, day), (0, 0))
        previous_sign, new_sign = CHANGE_BY_ACTION[action]
        for chosen, sign in [(previous, previous_sign), (verdict, new_sign)]:
            if chosen == "justified":
                j += sign
            elif chosen == "overblown":
                o += sign
        totals[(concern_id, day)] = (j, o)
    DailyShift.objects.all().delete()
    DailyShift.objects.bulk_create(
        DailyShift(concern_id=c, day=d, justified_change=j, overblown_change=o)
        for (c, d), (j, o) in totals.items()
    )
    for vote in Vote.objects.only("pk", "updated_at").iterator():
        Vote.objects.filter(pk=vote.pk).update(confirmed_at=vote.updated_at)


def remove_shifts(apps, schema_editor):
    apps.get_model("discussions", "DailyShift").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("discussions", "0003_fear_tracker")]

    operations = [migrations.RunPython(backfill_shifts, remove_shifts)]
