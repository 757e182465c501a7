from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.fan_data import FanData, Leaving
from caching.versions import Content


class OpinionConfig(AppConfig):
    name = "opinion"
    verbose_name = _("Opinion over time")
    # Read into cached parts only as sums of the days before yesterday (the
    # settled tallies, the chart), kept under the history version, which a
    # rewrite of past days replaces (impacts.past_votes_changed): a vote
    # writes today, which every page sums afresh. So no write replaces a
    # version here; tallies lag by TALLY_FRESH_SECONDS at most.
    content = [Content("DailyShift", versions=()), Content("VoteEvent", versions=())]
    fan_data = [
        # Cleared today (the tallies lose them) before the account goes.
        FanData("Vote.user", Leaving.DELETED, export="votes"),
        # The chart's past keeps its shape.
        FanData("VoteEvent.user", Leaving.UNNAMED, export="vote_history"),
        FanData("ReconsiderDismissal.user", Leaving.DELETED, export="reconsider_dismissals"),
    ]

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
