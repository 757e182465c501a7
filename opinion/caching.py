"""What the opinion engine tells the caches of the apps above it: whether past days still hold.

Votes only ever add to today, so what pages sum from the days before
yesterday (the settled tallies, the chart's settled days) stays true until
the history of past days is rewritten: a replay, a removal, a repair, a fan
leaving. `history_version()` names the history as it stands, and
`history_rewritten()` replaces it. The pages that keep those sums, and their
content version, are discussions' (discussions.caching), an app above this
one that it may not import: it hears of a rewrite through the
`past_days_rewritten` signal instead.
"""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

from .models import VoteEvent

HISTORY_KEY = "opinion:history-version"

# Sent by history_rewritten(), inside the transaction that rewrote the past:
# every cached page showed it (discussions.signals).
past_days_rewritten = Signal()


def history_version():
    """The token naming the vote history of past days; a new one when it is rewritten."""
    version = cache.get(HISTORY_KEY)
    if version is None:
        # The first reader after a restart: whoever adds first names the version.
        cache.add(HISTORY_KEY, secrets.token_hex(8), None)
        version = cache.get(HISTORY_KEY) or secrets.token_hex(8)
    return version


def _new_history_version():
    cache.set(HISTORY_KEY, secrets.token_hex(8), None)


def history_rewritten():
    """Past days' votes changed: drop what was summed from them, now and again on commit.

    A sum filled between the two still read the old rows and kept them under
    the first new version; the second leaves them behind. Everything showing
    them is stale too, which the apps above hear of (past_days_rewritten).
    """
    _new_history_version()
    transaction.on_commit(_new_history_version)
    past_days_rewritten.send(sender=VoteEvent)
