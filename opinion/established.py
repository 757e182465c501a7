"""The verdict a brigade cannot buy: a concern's tally among established fans.

Who counts is VoteQuerySet.established's rule. Counting it reads the votes
themselves, not the daily shifts, so at a million votes it is too dear for
every request: it is kept for ESTABLISHED_SECONDS per concern, the same for
every visitor (anonymous pages are cached whole and shared), and worked out
again at once when news is written (a newly published update moves the line
between established and not).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from caching.versions import NEWS

from .models import Vote
from .stats import Tally

ESTABLISHED_SECONDS = 60


@dataclass(frozen=True)
class EstablishedTally:
    """The established fans' tally beside the whole one it is compared with."""

    tally: Tally
    whole: Tally

    @property
    def differs(self):
        """Whether the whole tally's share lies outside the established fans' 95% interval."""
        return self.tally.differs_from(self.whole)

    @property
    def account_days(self):
        """How old, in days, an account must be to count (for the rule the page states)."""
        return settings.ESTABLISHED_ACCOUNT_AGE.days

    def as_json(self):
        interval = self.tally.interval
        return {
            "justified": self.tally.justified,
            "overblown": self.tally.overblown,
            "interval": list(interval) if interval else None,
            "differs": self.differs,
        }


def established_counts(concern, now=None):
    """(justified, overblown) among established fans, counted now from the votes."""
    now = now or timezone.now()
    latest = concern.update_effects.public().values_list("update__published_at", flat=True).first()
    tally = Vote.objects.filter(concern=concern).established(latest, now).tally()
    return tally.justified, tally.overblown


def established_tallies(concerns):
    """{concern pk: its tally among established fans beside its whole tally}, from the cache.

    One round trip for every concern's counts. Keyed by the news version, not
    the content version: only news moves the line between established and
    not, and comments, which change the content version every few seconds on
    news day, would have it recounted each time.
    """
    version = NEWS.current()
    keys = {concern.pk: f"opinion:established:{concern.pk}:{version}" for concern in concerns}
    found = cache.get_many(keys.values())
    tallies = {}
    for concern in concerns:
        counts = found.get(keys[concern.pk])
        if counts is None:
            counts = established_counts(concern)
            cache.set(keys[concern.pk], counts, ESTABLISHED_SECONDS)
        tallies[concern.pk] = EstablishedTally(Tally(*counts), concern.tally)
    return tallies


def established_tally(concern, whole):
    """The concern's tally among established fans, from the cache, beside `whole`."""
    return EstablishedTally(established_tallies([concern])[concern.pk].tally, whole)
