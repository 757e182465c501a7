import datetime
import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from discussions.models import Concern, DailyShift, Verdict, Vote, VoteEvent

BATCH = 5000


class Command(BaseCommand):
    help = (
        "Fill the database with simulated fans and a history of votes spread over "
        "past days, for benchmarks and demos. Votes, their history and the daily "
        "shifts are written consistently, as real voting would write them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--votes", type=int, default=100_000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=2022)

    @transaction.atomic
    def handle(self, votes, days, seed, **options):
        concerns = list(Concern.objects.all())
        if not concerns:
            raise CommandError("No concerns yet: run `manage.py seed` first.")
        if votes < 1 or days < 1:
            raise CommandError("--votes and --days must be at least 1.")
        rng = random.Random(seed)
        fans_needed = -(-votes // len(concerns))
        start = User.objects.count()
        password = make_password(None)
        User.objects.bulk_create(
            (User(username=f"simfan{start + i}", password=password) for i in range(fans_needed)),
            batch_size=BATCH,
        )
        fans = list(
            User.objects.filter(username__startswith="simfan")
            .order_by("-pk")
            .values_list("pk", flat=True)[:fans_needed]
        )
        now = timezone.now()
        leanings = {c.pk: rng.uniform(0.3, 0.8) for c in concerns}
        vote_rows, event_rows, shifts = [], [], {}
        for n in range(votes):
            concern = concerns[n % len(concerns)]
            fan = fans[n // len(concerns)]
            when = now - datetime.timedelta(seconds=rng.uniform(0, days * 86400))
            # Opinion drifts over the year, so the chart has something to show.
            drift = 0.15 * (1 - (now - when).days / days)
            justified = rng.random() < leanings[concern.pk] + drift
            verdict = Verdict.JUSTIFIED if justified else Verdict.OVERBLOWN
            vote_rows.append(Vote(user_id=fan, concern=concern, verdict=verdict, confirmed_at=when))
            event_rows.append(
                VoteEvent(
                    user_id=fan, concern=concern, action="cast", verdict=verdict, created_at=when
                )
            )
            key = (concern.pk, timezone.localdate(when))
            j, o = shifts.get(key, (0, 0))
            shifts[key] = (j + justified, o + (not justified))
        Vote.objects.bulk_create(vote_rows, batch_size=BATCH)
        VoteEvent.objects.bulk_create(event_rows, batch_size=BATCH)
        for (concern_id, day), (j, o) in shifts.items():
            shift, _ = DailyShift.objects.get_or_create(concern_id=concern_id, day=day)
            shift.justified_change += j
            shift.overblown_change += o
            shift.save(update_fields=["justified_change", "overblown_change"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Simulated {votes} votes by {len(fans)} fans over {days} days "
                f"({len(shifts)} daily shifts)."
            )
        )
