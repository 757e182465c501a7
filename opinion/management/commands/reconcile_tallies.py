from django.core.management.base import BaseCommand, CommandError

from opinion import tallies
from opinion.models import Vote

SHOWN = 20


def _signed(pair):
    return "{:+d} justified, {:+d} overblown".format(*pair)


class Command(BaseCommand):
    help = (
        "Check the opinion chart against the votes. Each vote's history must add up to "
        "the vote standing now, and each concern's daily shifts to what the history "
        "says for that day. Without --check, brings the history to the votes (a vote "
        "without history is taken as cast when it was first seen; any other gap is "
        "recorded now) and rewrites the shifts that differ. Safe to repeat; run it "
        "after loading or deleting votes by any other way than the site."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report what differs and exit with status 1 if anything does; write nothing.",
        )

    def handle(self, check, **options):
        drift = tallies.check() if check else tallies.reconcile()
        # Concerns are discussions' rows, an app above this one: reached
        # through the votes' foreign key, never imported.
        concerns = Vote._meta.get_field("concern").related_model.objects
        names = dict(concerns.values_list("pk", "slug"))
        self._report_votes(drift.votes, names)
        self._report_days(drift.days, names)
        if not drift:
            self.stdout.write(self.style.SUCCESS("Votes, history and daily shifts agree."))
            return
        summary = (
            f"{len(drift.votes)} vote(s) the history does not add up to, "
            f"{len(drift.days)} day(s) whose shift differs from the history"
        )
        if check:
            raise CommandError(f"Drift found: {summary}. Run without --check to repair.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Repaired {summary}: {drift.events_written} history row(s) written, "
                f"{len(drift.days)} day(s) rewritten."
            )
        )

    def _report_votes(self, votes, names):
        for vote in votes[:SHOWN]:
            standing = vote.verdict or "no vote"
            self.stdout.write(
                f"fan {vote.user_id} on {names.get(vote.concern_id, vote.concern_id)}: "
                f"the history adds up to {_signed(vote.history)}, the vote is {standing}"
            )
        self._more(votes)

    def _report_days(self, days, names):
        for day in days[:SHOWN]:
            self.stdout.write(
                f"{names.get(day.concern_id, day.concern_id)} on {day.day}: the shift says "
                f"{_signed(day.stored)}, the history {_signed(day.expected)}"
            )
        self._more(days)

    def _more(self, rows):
        if len(rows) > SHOWN:
            self.stdout.write(f"... and {len(rows) - SHOWN} more")
