"""Opinion over time, drawn as server-side SVG from the daily shifts."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

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


@dataclass
class Marker:
    x: float
    title: str
    url: str
    effect: str
    effect_label: str
    day: datetime.date


@dataclass
class OpinionChart:
    """Everything the template needs to draw the chart and its data table."""

    width: int = 640
    height: int = 220
    left: int = 40
    right: int = 12
    top: int = 12
    bottom: int = 28
    lines: list = field(default_factory=list)
    dots: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    gridlines: list = field(default_factory=list)
    axis_labels: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    @property
    def plot_bottom(self):
        return self.height - self.bottom

    @property
    def plot_right(self):
        return self.width - self.right

    @property
    def viewbox(self):
        return f"0 0 {self.width} {self.height}"

    @property
    def is_empty(self):
        return not self.rows


def _x(chart, index, count):
    span = chart.plot_right - chart.left
    if count <= 1:
        return chart.left + span / 2
    return round(chart.left + span * index / (count - 1), 1)


def _y(chart, percent):
    return round(chart.top + (chart.plot_bottom - chart.top) * (1 - percent / 100), 1)


def _runs(points):
    """Split (x, y or None) points into unbroken polylines."""
    runs, current = [], []
    for x, y in points:
        if y is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{x},{y}")
    if current:
        runs.append(current)
    return [" ".join(run) for run in runs]


def opinion_chart(tallies, effects):
    """Lay out % justified per day with a marker at each update's publication."""
    chart = OpinionChart()
    count = len(tallies)
    for percent in (0, 50, 100):
        chart.gridlines.append({"y": _y(chart, percent), "label": f"{percent}%"})
    if not count:
        return chart
    index_of = {tally.day: i for i, tally in enumerate(tallies)}
    points = [
        (_x(chart, i, count), None if t.percent is None else _y(chart, t.percent))
        for i, t in enumerate(tallies)
    ]
    chart.lines = _runs(points)
    if count == 1 and points[0][1] is not None:
        chart.dots = [{"x": points[0][0], "y": points[0][1]}]
    if count == 1:
        chart.axis_labels = [{"x": _x(chart, 0, 1), "label": tallies[0].day, "anchor": "middle"}]
    else:
        chart.axis_labels = [
            {"x": _x(chart, 0, count), "label": tallies[0].day, "anchor": "start"},
            {"x": _x(chart, count - 1, count), "label": tallies[-1].day, "anchor": "end"},
        ]
    for effect in effects:
        day = timezone.localdate(effect.update.published_at)
        if day in index_of:
            chart.markers.append(
                Marker(
                    x=_x(chart, index_of[day], count),
                    title=effect.update.title,
                    url=effect.update.get_absolute_url(),
                    effect=effect.effect,
                    effect_label=effect.get_effect_display(),
                    day=day,
                )
            )
    chart.rows = month_ends(tallies)
    return chart


def month_ends(tallies):
    """The closing tally of each month with votes: the chart's table, a dozen rows a year.

    The current month's row is its tally so far.
    """
    closing = {}
    for tally in tallies:
        if tally.changed:
            closing[(tally.day.year, tally.day.month)] = None
        if (tally.day.year, tally.day.month) in closing:
            closing[(tally.day.year, tally.day.month)] = tally
    return list(closing.values())


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
