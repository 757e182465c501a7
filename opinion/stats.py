"""The statistics of opinion: 95% intervals for a share and for a change in it, and the tally.

Pure arithmetic on counts, with no database: the models, the chart, the
share cards and the pages all read their figures through these.
"""

import math
from dataclasses import dataclass

# z for a 95% two-sided interval.
Z_95 = 1.959963984540054


def wilson_interval(successes, total, z=Z_95):
    """Return the Wilson score interval (low, high) for a proportion, or None for n=0."""
    if total == 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def difference_interval(before, after, z=Z_95):
    """Newcombe's 95% interval for after's share minus before's, from their Wilson intervals.

    `before` and `after` are (successes, total) pairs. This is the "hybrid
    score" interval (Newcombe 1998, method 10): it stays inside [-1, 1] and
    behaves at small counts and shares near 0 or 1, where adding the two
    normal approximations does not. None when either side has no votes.
    """
    (x1, n1), (x2, n2) = before, after
    first, second = wilson_interval(x1, n1, z), wilson_interval(x2, n2, z)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = first, second
    difference = p2 - p1
    low = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return low, high


@dataclass(frozen=True)
class Tally:
    """Justified and overblown votes on one concern, with display figures."""

    justified: int
    overblown: int

    @property
    def interval(self):
        """95% Wilson interval for the justified share, as whole percents."""
        bounds = wilson_interval(self.justified, self.total)
        if bounds is None:
            return None
        return round(100 * bounds[0]), round(100 * bounds[1])

    @property
    def is_tentative(self):
        """Whether the interval is too wide to read the percentage as a verdict."""
        interval = self.interval
        return interval is None or interval[1] - interval[0] > 30

    @property
    def lower_bound(self):
        """The pessimistic justified share, for ranking: few votes rank low."""
        bounds = wilson_interval(self.justified, self.total)
        return -1.0 if bounds is None else bounds[0]

    @property
    def closeness_to_even(self):
        return abs(self.justified / self.total - 0.5) if self.total else 1.0

    @property
    def consensus_strength(self):
        """How far the whole interval sits from an even split (negative when it spans it)."""
        bounds = wilson_interval(self.justified, self.total)
        if bounds is None:
            return -1.0
        return max(bounds[0] - 0.5, 0.5 - bounds[1])

    @property
    def total(self):
        return self.justified + self.overblown

    @property
    def justified_percent(self):
        if not self.total:
            return 0
        return round(100 * self.justified / self.total)

    @property
    def overblown_percent(self):
        if not self.total:
            return 0
        return 100 - self.justified_percent

    def differs_from(self, whole):
        """Whether the whole tally's justified share lies outside this tally's 95% interval.

        Asked of a part of the votes (the established fans', VoteQuerySet.established)
        beside the whole: outside it, the whole is unlikely to be what fans like
        these think, and the difference is worth showing. No votes, no verdict.
        """
        bounds = wilson_interval(self.justified, self.total)
        if bounds is None or not whole.total:
            return False
        share = whole.justified / whole.total
        return not bounds[0] <= share <= bounds[1]
