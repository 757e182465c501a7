import datetime
import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from opinion.models import DailyShift, Verdict
from opinion.voting import replay_history

BATCH = 5000


class Command(BaseCommand):
    help = (
        "Fill the database with simulated fans and a history of votes spread over "
        "past days, for benchmarks. Votes, their history, the daily shifts and "
        "the follows are written as voting would have written them, one by one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--votes", type=int, default=100_000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=2022)

    @transaction.atomic
    def handle(self, votes, days, seed, **options):
        # Concerns are discussions' rows, an app above this one: reached
        # through the shifts' foreign key, never imported.
        concerns = list(DailyShift._meta.get_field("concern").related_model.objects.all())
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
        ballots = {}
        for n in range(votes):
            concern = concerns[n % len(concerns)]
            fan = fans[n // len(concerns)]
            when = now - datetime.timedelta(seconds=rng.uniform(0, days * 86400))
            # Opinion drifts over the year, so the chart has something to show.
            drift = 0.15 * (1 - (now - when).days / days)
            justified = rng.random() < leanings[concern.pk] + drift
            verdict = Verdict.JUSTIFIED if justified else Verdict.OVERBLOWN
            ballots[(fan, concern.pk)] = [(when, verdict)]
        replay_history(ballots)
        shifts = DailyShift.objects.filter(concern__in=concerns).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Simulated {votes} votes by {len(fans)} fans over {days} days "
                f"({shifts} daily shifts in all)."
            )
        )
