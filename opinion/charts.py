"""Opinion over time, drawn as server-side SVG.

The concern page's chart is drawn from the vote history (the verdicts
expressed each day), the sparklines from the daily shifts (the tally's close).
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.utils import timezone

from .stats import wilson_interval

CHART_DAYS = 365
SPARKLINE_DAYS = 90


@dataclass(frozen=True)
class DayTally:
    day: datetime.date
    justified: int
    overblown: int
    changed: bool

    @property
    def total(self):
        return self.justified + self.overblown

    @property
    def percent(self):
        """Share justified at the day's close, or None before anyone voted."""
        if not self.total:
            return None
        return round(100 * self.justified / self.total, 1)


def daily_tallies(shifts, days=CHART_DAYS, today=None):
    """Turn (day, justified_change, overblown_change) rows into each day's closing tally.

    Covers from the first vote (at most `days` back) to today, carrying a
    tally across days without votes.
    """
    today = today or timezone.localdate()
    shifts = sorted(shifts)
    if not shifts:
        return []
    start = max(shifts[0][0], today - datetime.timedelta(days=days - 1))
    by_day = {}
    justified = overblown = 0
    for day, j_change, o_change in shifts:
        if day < start:
            justified, overblown = justified + j_change, overblown + o_change
        else:
            j, o = by_day.get(day, (0, 0))
            by_day[day] = (j + j_change, o + o_change)
    tallies = []
    day = start
    while day <= today:
        j_change, o_change = by_day.get(day, (0, 0))
        justified, overblown = justified + j_change, overblown + o_change
        tallies.append(DayTally(day, justified, overblown, day in by_day))
        day += datetime.timedelta(days=1)
    return tallies


# Below this median of votes on the days that have any, a day's share is mostly
# noise: at 30 votes and an even split the 95% interval already spans ±17
# points, so most days' points would jump about inside their own bands. Then
# each point sums the 7 days up to it, which gives a typical point several
# times the votes, and says so on the chart.
THIN_DAY_VOTES = 30
ROLLING_DAYS = 7
# Longer than this, the bars count weeks.
DAILY_BARS_DAYS = 120
# Month names of the axis a phone hides every other one of, past this many.
MONTH_LABELS_ON_A_PHONE = 6
# Update badges closer than this (viewBox units) are nudged apart, so each stays
# readable, also at the size a phone draws them (site.css).
BADGE_SPACING = 40


@dataclass(frozen=True)
class Period:
    """The verdicts behind one point of the chart: a day, or the 7 days up to it."""

    day: datetime.date
    justified: int
    overblown: int

    @property
    def total(self):
        return self.justified + self.overblown

    @property
    def share(self):
        """The share justified (0 to 1), or None for a period without votes: a gap."""
        return self.justified / self.total if self.total else None

    @property
    def interval(self):
        return wilson_interval(self.justified, self.total)


@dataclass(frozen=True)
class MonthRow:
    """One month with votes in the chart's table."""

    month: datetime.date
    votes: int
    percent: float
    low: float
    high: float


@dataclass
class Marker:
    number: int
    x: float
    badge_x: float
    title: str
    url: str
    effect: str
    effect_label: str
    day: datetime.date
    hit_x: float = 0
    rule: str = ""


@dataclass
class OpinionChart:
    """Everything the template needs to draw the chart, its legend and its table.

    From the top: a row of numbered update badges, the share plot (0 to 100%),
    the bars of votes on their own scale, then the months.
    """

    width: int = 640
    height: int = 300
    left: int = 52
    right: int = 16
    top: int = 40
    plot_bottom: int = 196
    bars_top: int = 214
    bars_bottom: int = 254
    # An update's link reaches over the whole plot, so a finger finds it: 56
    # units stay wider than 24 px on a 375 px phone, where the chart is ~320 px wide.
    hit_width: int = 56
    badge_radius: int = 14
    rolling: bool = False
    # Votes per week rather than per day: on a rolling chart, and on one too
    # long for a day's bar to be seen (under a pixel wide on a phone).
    weekly_bars: bool = False
    # Runs of (x, y): the share's lines and, closed, the bands around them.
    lines: list = field(default_factory=list)
    dots: list = field(default_factory=list)
    bands: list = field(default_factory=list)
    # (x, height) of each bar of votes, bar_width wide.
    bars: list = field(default_factory=list)
    bar_width: float = 1.0
    bars_scale: int = 0
    markers: list = field(default_factory=list)
    gridlines: list = field(default_factory=list)
    axis_labels: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    @property
    def plot_right(self):
        return self.width - self.right

    @property
    def line_paths(self):
        return [svg_path(line) for line in self.lines]

    @property
    def band_paths(self):
        return [svg_path(band) + "z" for band in self.bands]

    @property
    def bars_path(self):
        """Each bar a stroke bar_width wide, rising from the bars' baseline."""
        return svg_path(
            [(x, self.bars_bottom) for x, _height in self.bars],
            rise=[height for _x, height in self.bars],
        )

    @property
    def viewbox(self):
        return f"0 0 {self.width} {self.height}"

    @property
    def month_y(self):
        return self.bars_bottom + 20

    @property
    def year_y(self):
        return self.bars_bottom + 40

    @property
    def badge_y(self):
        return self.top // 2

    @property
    def is_empty(self):
        return not self.rows


def _number(value):
    """A coordinate as few characters as SVG reads it: 1 decimal, no "0." or ".0"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    text = text.replace("-0.", "-.") if text.startswith("-0.") else text
    text = text[1:] if text.startswith("0.") else text
    return "0" if text in ("", "-", "-0") else text


def _join(numbers):
    # A minus sign separates numbers by itself.
    text = ""
    for number in numbers:
        text += number if not text or number.startswith("-") else " " + number
    return text


def svg_path(points, rise=None):
    """Path data through (x, y) points in relative steps: a year of days in a few KB.

    Each step is the difference of coordinates already rounded to a tenth, so
    the steps add up to the rounded points exactly. With `rise`, each point is
    instead the foot of a vertical stroke that high (the bars).
    """
    if not points:
        return ""
    rounded = [(round(x, 1), round(y, 1)) for x, y in points]
    (x0, y0), rest = rounded[0], rounded[1:]
    if rise is None:
        steps = []
        previous = (x0, y0)
        for x, y in rest:
            steps += [_number(x - previous[0]), _number(y - previous[1])]
            previous = (x, y)
        head = f"M{_join([_number(x0), _number(y0)])}"
        return head + (f"l{_join(steps)}" if steps else "")
    heights = [round(height, 1) for height in rise]
    text = f"M{_join([_number(x0), _number(y0)])}v{_number(-heights[0])}"
    for (x, y), (px, _py), height, before in zip(
        rest, rounded[:-1], heights[1:], heights[:-1], strict=True
    ):
        # Back down to the baseline and across to the next bar's foot.
        text += f"m{_join([_number(x - px), _number(y - y0 + before)])}v{_number(-height)}"
    return text


def _x(chart, index, count):
    span = chart.plot_right - chart.left
    if count <= 1:
        return chart.left + span / 2
    return round(chart.left + span * index / (count - 1), 1)


def _y(chart, share):
    return round(chart.top + (chart.plot_bottom - chart.top) * (1 - share), 1)


def _nice_ceiling(number):
    """The smallest of 1, 2, 5, 10, 20, 50... at least `number`: a round top for the bars."""
    step = 1
    while True:
        for nice in (step, 2 * step, 5 * step):
            if nice >= number:
                return nice
        step *= 10


def is_thin(days):
    """Whether too few votes fall on a typical day with votes for a daily share to mean much."""
    counts = [day.total for day in days if day.total]
    return bool(counts) and statistics.median(counts) < THIN_DAY_VOTES


def rolling(days, width=ROLLING_DAYS):
    """Each day's period summed with the days before it, `width` days in all."""
    periods = []
    for i, day in enumerate(days):
        window = days[max(0, i - width + 1) : i + 1]
        periods.append(
            Period(day.day, sum(d.justified for d in window), sum(d.overblown for d in window))
        )
    return periods


def _runs(points):
    """Split (x, period) points into runs of periods with votes: a gap between runs."""
    runs, current = [], []
    for x, period in points:
        if period.total:
            current.append((x, period))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _draw_share(chart, points):
    for run in _runs(points):
        line = [(x, _y(chart, p.share)) for x, p in run]
        upper = [(x, _y(chart, p.interval[1])) for x, p in run]
        lower = [(x, _y(chart, p.interval[0])) for x, p in run]
        if len(run) == 1:
            # A lone period is a dot, its band a narrow bar: a polyline of one point draws nothing.
            (x, y), (_, high), (_, low) = line[0], upper[0], lower[0]
            chart.dots.append({"x": x, "y": y})
            upper = [(round(x - 2, 1), high), (round(x + 2, 1), high)]
            lower = [(round(x - 2, 1), low), (round(x + 2, 1), low)]
        else:
            chart.lines.append(line)
        chart.bands.append(upper + lower[::-1])


def _draw_bars(chart, points):
    count = len(points)
    step = (chart.plot_right - chart.left) / (count - 1) if count > 1 else 12
    if chart.weekly_bars:
        # A bar per week, ending today: a rolling point there sums exactly its
        # week, and daily ones are added up, so no vote counts twice.
        weeks = []
        for end in range(count - 1, -1, -ROLLING_DAYS):
            week = points[max(0, end - ROLLING_DAYS + 1) : end + 1]
            if chart.rolling:
                weeks.append(points[end])
            else:
                weeks.append(
                    (
                        points[end][0],
                        Period(
                            points[end][1].day,
                            sum(p.justified for _x, p in week),
                            sum(p.overblown for _x, p in week),
                        ),
                    )
                )
        points = weeks[::-1]
        step *= ROLLING_DAYS
    width = round(max(1.0, min(step * 0.7, 12.0)), 1)
    chart.bars_scale = _nice_ceiling(max(p.total for _, p in points))
    chart.bar_width = width
    height = chart.bars_bottom - chart.bars_top
    chart.bars = [
        (x, round(height * period.total / chart.bars_scale, 1))
        for x, period in points
        if period.total
    ]


def _label_months(chart, days):
    """Name each month where it starts, with the year on the first and on each January.

    A range holding fewer than two month starts is named by its first and last day.
    """
    count = len(days)
    starts = [i for i, day in enumerate(days) if day.day == 1]
    if count == 1:
        chart.axis_labels = [
            {"x": _x(chart, 0, 1), "day": days[0], "month": False, "anchor": "middle"}
        ]
    elif len(starts) < 2:
        chart.axis_labels = [
            {"x": _x(chart, 0, count), "day": days[0], "month": False, "anchor": "start"},
            {"x": _x(chart, count - 1, count), "day": days[-1], "month": False, "anchor": "end"},
        ]
    else:
        crowded = len(starts) > MONTH_LABELS_ON_A_PHONE
        for n, i in enumerate(starts):
            with_year = n == 0 or days[i].month == 1
            chart.axis_labels.append(
                {
                    "x": _x(chart, i, count),
                    "day": days[i],
                    "month": True,
                    "year": with_year,
                    "anchor": "middle",
                    "minor": crowded and n % 2 == 1 and not with_year,
                }
            )


def _badge_places(chart, xs):
    """Where each update's badge goes: over its day, nudged aside to keep clear of the others.

    Left to right each badge keeps BADGE_SPACING from the one before; then
    right to left, none passes the plot's right edge.
    """
    # Many updates share the width: badges then stand closer (and overlap
    # rather than leave the plot).
    spacing = min(BADGE_SPACING, (chart.plot_right - chart.left) / max(len(xs) - 1, 1))
    places = []
    for x in xs:
        places.append(x if not places else max(x, places[-1] + spacing))
    limit = chart.plot_right
    for i in reversed(range(len(places))):
        places[i] = round(max(min(places[i], limit), chart.left), 1)
        limit = places[i] - spacing
    return places


def _place_markers(chart, effects, days):
    index_of = {day: i for i, day in enumerate(days)}
    count = len(days)
    dated = sorted(
        (
            (timezone.localdate(effect.update.published_at), effect)
            for effect in effects
            if timezone.localdate(effect.update.published_at) in index_of
        ),
        key=lambda pair: (pair[1].update.published_at, pair[1].update.pk),
    )
    xs = [_x(chart, index_of[day], count) for day, _ in dated]
    badge_bottom = chart.badge_y + chart.badge_radius
    for number, ((day, effect), x, badge_x) in enumerate(
        zip(dated, xs, _badge_places(chart, xs), strict=True), start=1
    ):
        chart.markers.append(
            Marker(
                number=number,
                x=x,
                badge_x=badge_x,
                hit_x=round(badge_x - chart.hit_width / 2, 1),
                # From the badge down to the update's day, bent when the badge was nudged aside.
                rule=f"{badge_x},{badge_bottom} {x},{chart.top} {x},{chart.plot_bottom}",
                title=effect.update.title,
                url=effect.update.get_absolute_url(),
                effect=effect.effect,
                effect_label=effect.get_effect_display(),
                day=day,
            )
        )


def month_rows(days):
    """Each month with votes: its votes, the share justified and its 95% interval."""
    months = {}
    for day in days:
        if day.total:
            j, o = months.get(day.day.replace(day=1), (0, 0))
            months[day.day.replace(day=1)] = (j + day.justified, o + day.overblown)
    rows = []
    for month, (j, o) in months.items():
        low, high = wilson_interval(j, j + o)
        rows.append(
            MonthRow(
                month, j + o, round(100 * j / (j + o), 1), round(100 * low, 1), round(100 * high, 1)
            )
        )
    return rows


def opinion_chart(verdict_days, effects, today=None):
    """Lay out the share justified per period, its 95% band, the votes, and the news.

    `verdict_days` are (day, justified, overblown) rows as
    VoteEvent.objects.verdicts_per_day() gives them. The chart runs from the
    first vote or the first update on it, whichever is earlier (at most
    CHART_DAYS back), to today.
    """
    today = today or timezone.localdate()
    chart = OpinionChart()
    for percent in (0, 50, 100):
        chart.gridlines.append({"y": _y(chart, percent / 100), "label": f"{percent}%"})
    counts = {}
    for day, justified, overblown in verdict_days:
        j, o = counts.get(day, (0, 0))
        counts[day] = (j + justified, o + overblown)
    first_shown = today - datetime.timedelta(days=CHART_DAYS - 1)
    voted = sorted(
        day for day, (j, o) in counts.items() if (j or o) and first_shown <= day <= today
    )
    if not voted:
        return chart
    published = [
        timezone.localdate(effect.update.published_at)
        for effect in effects
        if first_shown <= timezone.localdate(effect.update.published_at) <= today
    ]
    start = min([voted[0], *published])
    days = [start + datetime.timedelta(days=n) for n in range((today - start).days + 1)]
    daily = [Period(day, *counts.get(day, (0, 0))) for day in days]
    chart.rolling = is_thin(daily)
    chart.weekly_bars = chart.rolling or len(daily) > DAILY_BARS_DAYS
    periods = rolling(daily) if chart.rolling else daily
    points = [(_x(chart, i, len(periods)), period) for i, period in enumerate(periods)]
    _draw_share(chart, points)
    _draw_bars(chart, points)
    _label_months(chart, days)
    _place_markers(chart, effects, days)
    chart.rows = month_rows(daily)
    return chart


def sparkline(tallies, width=120, height=32):
    """Return polyline points for a small % justified line, or "" with no votes."""
    tallies = tallies[-SPARKLINE_DAYS:]
    count = len(tallies)
    points = []
    for i, tally in enumerate(tallies):
        if tally.percent is None:
            continue
        x = width / 2 if count == 1 else round(width * i / (count - 1), 1)
        y = round(2 + (height - 4) * (1 - tally.percent / 100), 1)
        points.append(f"{x},{y}")
    if len(points) == 1:
        x, y = points[0].split(",")
        points = [f"0,{y}", f"{width},{y}"]
    return " ".join(points)
