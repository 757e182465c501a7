"""Bursts of votes from new accounts: what moderators watch for on news day.

A brigade signs up and votes within hours, so the figure is the votes cast or
changed each hour by accounts under settings.NEW_ACCOUNT_AGE at the moment of
the vote, set against the usual rate: the median of that hourly figure over
the seven days before the hours shown (a median, so that one earlier burst
does not raise the bar for the next). A burst is on when the last full hour,
or the current hour so far, has more than
max(settings.BURST_MIN_VOTES, settings.BURST_FACTOR times the usual rate) such
votes: for all concerns together, or for any one of them.

The database groups the votes by concern and hour (one query); the concerns'
titles are a second, only when the charts are drawn.
"""

import datetime
import statistics
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discussions.models import Concern
from opinion.models import VoteEvent

from .decisions import MODERATE_COMMENTS

HOURS_SHOWN = 48
USUAL_HOURS = 7 * 24
HOUR = datetime.timedelta(hours=1)


def may_watch_bursts(user):
    """Staff who may moderate comments see the bursts; nobody else does."""
    return (
        user.is_active
        and user.is_staff
        and any(user.has_perm(permission) for permission in MODERATE_COMMENTS)
    )


def new_account_votes_per_hour(since, until):
    """(concern pk, hour, votes) of casts and changes by accounts still new when they voted.

    Hours start on the hour in UTC, so they are the same instants whatever
    the site's time zone; pages show them in local time.
    """
    return (
        VoteEvent.objects.filter(
            action__in=[VoteEvent.Action.CAST, VoteEvent.Action.CHANGE],
            created_at__gte=since,
            created_at__lt=until,
            # Implied by the next filter; it lets the database start from the
            # few recent accounts rather than from every vote in nine days.
            user__date_joined__gte=since - settings.NEW_ACCOUNT_AGE,
        )
        .filter(created_at__lt=F("user__date_joined") + settings.NEW_ACCOUNT_AGE)
        .annotate(hour=TruncHour("created_at", tzinfo=datetime.UTC))
        .order_by()
        .values("concern", "hour")
        .annotate(votes=Count("pk"))
        .values_list("concern", "hour", "votes")
    )


# The admin index asks whether a burst is on at most this often (seconds).
BURST_CHECK_SECONDS = 60


def burst_on():
    """Whether a burst is on, worked out at most once a minute for every moderator's index."""
    on = cache.get("moderation:burst-on")
    if on is None:
        on = BurstReport().bursting
        cache.set("moderation:burst-on", on, BURST_CHECK_SECONDS)
    return on


def threshold_for(usual):
    """More votes than this in an hour is a burst."""
    return max(settings.BURST_MIN_VOTES, settings.BURST_FACTOR * usual)


@dataclass(frozen=True)
class Bar:
    """One hour of the chart, with where its bar goes."""

    start: datetime.datetime
    votes: int
    over: bool
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    position: float
    label: object


@dataclass(frozen=True)
class BurstChart:
    """One series of hours (all concerns, or one) drawn as bars against the usual rate.

    The last hour is the current one, so far.
    """

    title: str
    url: str
    counts: tuple
    usual: float
    hours: tuple

    width = 640
    height = 220
    left = 40
    right = 12
    top = 12
    bottom = 28

    @property
    def threshold(self):
        return threshold_for(self.usual)

    @property
    def bursting(self):
        """Whether the last full hour or the current hour so far is over the threshold."""
        return any(votes > self.threshold for votes in self.counts[-2:])

    @property
    def total(self):
        return sum(self.counts)

    @property
    def viewbox(self):
        return f"0 0 {self.width} {self.height}"

    @property
    def plot_right(self):
        return self.width - self.right

    @property
    def plot_bottom(self):
        return self.height - self.bottom

    @cached_property
    def scale(self):
        """The count at the top of the plot: room for the highest bar and the threshold."""
        highest = max(max(self.counts, default=0), self.threshold)
        return _nice_ceiling(highest)

    def _y(self, votes):
        span = self.plot_bottom - self.top
        return round(self.plot_bottom - span * votes / self.scale, 1)

    @cached_property
    def bars(self):
        slot = (self.plot_right - self.left) / len(self.hours)
        return [
            Bar(
                start=start,
                votes=votes,
                over=votes > self.threshold,
                x=round(self.left + slot * index + slot * 0.1, 1),
                y=self._y(votes),
                width=round(slot * 0.8, 1),
                height=round(self.plot_bottom - self._y(votes), 1),
            )
            for index, (start, votes) in enumerate(zip(self.hours, self.counts, strict=True))
        ]

    @property
    def usual_y(self):
        return self._y(self.usual)

    @property
    def threshold_y(self):
        return self._y(self.threshold)

    @property
    def gridlines(self):
        return [Tick(self._y(value), value) for value in (0, self.scale // 2, self.scale)]

    @property
    def axis_labels(self):
        """A time under every twelfth bar, at the start of its hour."""
        return [Tick(bar.x, bar.start) for index, bar in enumerate(self.bars) if index % 12 == 0]


def _nice_ceiling(number):
    """The smallest of 10, 20, 50, 100, 200... at least `number`: a round top for the bars."""
    step = 10
    while True:
        for nice in (step, 2 * step, 5 * step):
            if nice >= number:
                return nice
        step *= 10


class BurstReport:
    """Votes per hour from new accounts over the last two days, overall and per concern.

    Built for one moment (`now`); reads nothing until asked.
    """

    def __init__(self, now=None):
        now = now or timezone.now()
        current = now.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
        self.until = current + HOUR
        self.shown_from = current - (HOURS_SHOWN - 1) * HOUR
        self.usual_from = self.shown_from - USUAL_HOURS * HOUR
        self.hours = tuple(self.shown_from + n * HOUR for n in range(HOURS_SHOWN))
        self.usual_hours = tuple(self.usual_from + n * HOUR for n in range(USUAL_HOURS))

    @cached_property
    def _by_concern(self):
        """{concern pk: {hour: votes}}, from one grouped query."""
        counts = {}
        for concern, hour, votes in new_account_votes_per_hour(self.usual_from, self.until):
            counts.setdefault(concern, {})[hour] = votes
        return counts

    def _chart(self, title, url, per_hour):
        usual = statistics.median(per_hour.get(hour, 0) for hour in self.usual_hours)
        counts = tuple(per_hour.get(hour, 0) for hour in self.hours)
        return BurstChart(title, url, counts, usual, self.hours)

    @cached_property
    def overall(self):
        total = {}
        for per_hour in self._by_concern.values():
            for hour, votes in per_hour.items():
                total[hour] = total.get(hour, 0) + votes
        return self._chart(_("All concerns"), "", total)

    @cached_property
    def concerns(self):
        """A chart for each concern that new accounts voted on in these nine days."""
        found = Concern.objects.filter(pk__in=self._by_concern).order_by(
            "article_id", "position", "pk"
        )
        return [
            self._chart(concern.title, concern.get_absolute_url(), self._by_concern[concern.pk])
            for concern in found
        ]

    @cached_property
    def bursting(self):
        """Whether a burst is on overall or on any one concern (no query beyond the counts)."""
        if self.overall.bursting:
            return True
        return any(self._chart("", "", per_hour).bursting for per_hour in self._by_concern.values())

    @property
    def charts(self):
        return [self.overall, *self.concerns]
