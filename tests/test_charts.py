"""The opinion chart: verdicts counted per local day, laid out with their band, votes and news."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from discussions.pages import ConcernPage
from opinion.charts import Period, opinion_chart, svg_path
from opinion.models import VoteEvent
from opinion.voting import CLEAR, cast_vote, keep_vote
from privacy.deletion import delete_account
from tests.factories import make_concern, make_update, make_user, make_vote

TODAY = datetime.date(2026, 11, 5)


def days_before(n, today=TODAY):
    return today - datetime.timedelta(days=n)


def chart_of(rows, effects=(), today=TODAY):
    return opinion_chart(rows, list(effects), today=today)


class FakeUpdate:
    title = "News"

    def __init__(self, day, pk):
        self.published_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        self.pk = pk

    def get_absolute_url(self):
        return f"/updates/{self.pk}/"


class FakeEffect:
    """An update's effect as the chart reads it, without the database."""

    effect = "confirms"

    def __init__(self, update):
        self.update = update

    def get_effect_display(self):
        return "Confirms"


def news_of_the_day(day, pk):
    return FakeEffect(FakeUpdate(day, pk))


def counts(concern):
    return list(VoteEvent.objects.filter(concern=concern).verdicts_per_day())


# --- counting each day's verdicts ---------------------------------------------------------


@pytest.mark.django_db
def test_a_fan_counts_once_for_a_verdict_said_twice_in_a_day(db):
    concern, fan = make_concern(), make_user()
    for verdict in ("justified", "overblown", "justified"):
        cast_vote(fan, concern, verdict)
    assert counts(concern) == [(timezone.localdate(), 1, 1)]


@pytest.mark.django_db
def test_a_change_counts_for_its_new_verdict(db):
    concern, fan = make_concern(), make_user()
    make_vote(concern, fan, "justified")
    VoteEvent.objects.filter(concern=concern).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    cast_vote(fan, concern, "overblown")
    assert counts(concern)[-1] == (timezone.localdate(), 0, 1)


@pytest.mark.django_db
def test_keeping_or_clearing_a_vote_expresses_no_verdict(db):
    concern, keeper, leaver = make_concern(), make_user(), make_user()
    make_vote(concern, keeper, "justified")
    make_vote(concern, leaver, "overblown")
    VoteEvent.objects.update(created_at=timezone.now() - datetime.timedelta(days=3))
    keep_vote(keeper, concern)
    cast_vote(leaver, concern, CLEAR)
    assert [day for day, _, _ in counts(concern)] == [timezone.localdate() - datetime.timedelta(3)]


@pytest.mark.django_db
def test_verdicts_count_on_the_local_day(settings):
    settings.TIME_ZONE = "Asia/Seoul"
    concern = make_concern()
    late_evening_utc = datetime.datetime(2026, 11, 2, 16, 30, tzinfo=datetime.UTC)
    VoteEvent.objects.create(
        user=make_user(),
        concern=concern,
        action="cast",
        verdict="justified",
        created_at=late_evening_utc,
    )
    with timezone.override("Asia/Seoul"):
        assert counts(concern) == [(datetime.date(2026, 11, 3), 1, 0)]


@pytest.mark.django_db
def test_a_deleted_fans_verdicts_stay_on_the_chart(db):
    concern, fan = make_concern(), make_user()
    make_vote(concern, fan, "overblown")
    make_vote(concern, verdict="overblown")
    delete_account(fan)
    assert counts(concern) == [(timezone.localdate(), 0, 2)]


@pytest.mark.django_db
def test_counting_between_days_leaves_out_the_days_outside(db):
    concern = make_concern()
    now = timezone.now()
    for days in (0, 1, 2, 3):
        VoteEvent.objects.create(
            user=make_user(),
            concern=concern,
            action="cast",
            verdict="justified",
            created_at=now - datetime.timedelta(days=days),
        )
    today = timezone.localdate()
    rows = VoteEvent.objects.filter(concern=concern).verdicts_per_day(
        since=today - datetime.timedelta(days=2), until=today
    )
    assert [day for day, _, _ in rows] == [
        today - datetime.timedelta(2),
        today - datetime.timedelta(1),
    ]


# --- the band ---------------------------------------------------------------------------


def test_the_band_is_the_95_percent_wilson_interval():
    low, high = Period(TODAY, 60, 40).interval
    assert (round(100 * low, 1), round(100 * high, 1)) == (50.2, 69.1)


def test_the_month_table_gives_the_share_and_its_interval():
    (row,) = chart_of([(TODAY, 60, 40)]).rows
    assert (row.votes, row.percent, row.low, row.high) == (100, 60.0, 50.2, 69.1)


def test_the_band_outlines_the_interval_around_the_line():
    chart = chart_of([(days_before(1), 60, 40), (TODAY, 60, 40)])
    # 50.2% .. 69.1% of the plot's 156 units from y=40 down; upper edge left to right, then back.
    assert chart.bands == [[(52.0, 88.3), (624.0, 88.3), (624.0, 117.7), (52.0, 117.7)]]
    assert chart.band_paths == ["M52 88.3l572 0 0 29.4-572 0z"]


# --- the line ---------------------------------------------------------------------------


def test_points_stand_at_their_day_and_share():
    chart = chart_of([(days_before(1), 75, 25), (TODAY, 40, 60)])
    assert chart.lines == [[(52.0, 79.0), (624.0, 133.6)]]
    assert chart.line_paths == ["M52 79l572 54.6"]
    assert not chart.rolling


def test_a_day_without_votes_leaves_a_gap_not_a_zero():
    rows = [(days_before(4), 50, 50), (days_before(3), 50, 50), (days_before(1), 50, 50)]
    chart = chart_of([*rows, (TODAY, 50, 50)])
    assert chart.lines == [[(52.0, 118.0), (195.0, 118.0)], [(481.0, 118.0), (624.0, 118.0)]]
    assert len(chart.bands) == 2


def test_a_lone_day_is_a_dot_with_a_narrow_band():
    chart = chart_of([(days_before(2), 50, 50), (TODAY, 50, 50)])
    assert chart.lines == []
    assert chart.dots == [{"x": 52.0, "y": 118.0}, {"x": 624.0, "y": 118.0}]
    assert chart.bands[0][0][0] == 50.0


def test_thin_days_switch_to_a_rolling_week():
    rows = [(days_before(n), 3, 1) for n in range(10)]
    chart = chart_of(rows)
    assert chart.rolling
    # Ten days of 4 votes: from the seventh day on each point sums 7 days, 28 votes.
    assert chart.bars_scale == 50
    # A bar per week back from today: the chart's first 3 days (12 votes), then 28.
    assert [height for _x, height in chart.bars] == [9.6, 22.4]
    html = render_to_string("includes/_opinion_chart.html", {"chart": chart})
    assert "Rolling 7-day share" in html and "Daily share" not in html


def test_busy_days_keep_the_daily_share():
    # The median day with votes has 30: the rule's threshold, though the mean is 21.
    chart = chart_of([(days_before(2), 20, 10), (days_before(1), 20, 10), (TODAY, 2, 1)])
    assert not chart.rolling


def test_a_median_under_30_votes_a_day_rolls():
    chart = chart_of([(days_before(2), 20, 9), (days_before(1), 20, 9), (TODAY, 200, 100)])
    assert chart.rolling


def test_a_rolling_week_bridges_quiet_days_but_not_longer_gaps():
    rows = [(days_before(20), 1, 0), (days_before(10), 1, 0)]
    chart = chart_of(rows)
    assert chart.rolling
    # Each vote lights up its own day and the six after it; between them is a gap.
    assert len(chart.lines) == 2
    assert len(chart.lines[0]) == 7


def test_bars_show_the_votes_behind_each_point_on_their_own_scale():
    chart = chart_of([(days_before(1), 20, 17), (TODAY, 10, 30)])
    assert chart.bars_scale == 50
    # The bars stand on y=254 and reach 40 units up at the scale's top.
    assert chart.bars == [(52.0, 29.6), (624.0, 32.0)]
    # Each a stroke 12 wide from the baseline: up, back down and across, up.
    assert (chart.bar_width, chart.bars_path) == (12.0, "M52 254v-29.6m572 29.6v-32")


# --- the axis ---------------------------------------------------------------------------


def test_months_are_named_where_they_start_with_the_year_on_the_first_and_january():
    today = datetime.date(2027, 2, 10)
    chart = chart_of([(datetime.date(2026, 11, 15), 1, 1)], today=today)
    labels = [(label["day"], label["year"]) for label in chart.axis_labels]
    assert labels == [
        (datetime.date(2026, 12, 1), True),
        (datetime.date(2027, 1, 1), True),
        (datetime.date(2027, 2, 1), False),
    ]


def test_month_names_follow_the_language():
    chart = chart_of([(datetime.date(2026, 11, 15), 1, 1)], today=datetime.date(2027, 2, 10))
    with translation.override("ko"):
        html = render_to_string("includes/_opinion_chart.html", {"chart": chart})
    months = re.findall(r'class="chart-axis chart-month[^"]*"[^>]*>([^<]+)<', html)
    assert months == ["12월", "1월", "2월"]


def test_a_phone_hides_every_other_month_of_a_year_but_never_a_year():
    chart = chart_of([(datetime.date(2025, 11, 20), 1, 1)], today=datetime.date(2026, 11, 5))
    minor = [label["day"].month for label in chart.axis_labels if label["minor"]]
    assert minor == [1 + 2 * n for n in range(1, 6)] and 1 not in minor


def test_a_range_within_a_month_is_named_by_its_first_and_last_day():
    chart = chart_of([(days_before(3), 1, 1)])
    assert [(label["day"], label["anchor"]) for label in chart.axis_labels] == [
        (days_before(3), "start"),
        (TODAY, "end"),
    ]


# --- the news ---------------------------------------------------------------------------


@pytest.fixture
def news(db):
    concern = make_concern()
    now = timezone.now()
    make_update(
        title="Filming wraps",
        published_at=now - datetime.timedelta(days=5),
        effects=[(concern, "eases")],
    )
    make_update(
        title="Seoul set",
        published_at=now - datetime.timedelta(days=2),
        effects=[(concern, "confirms")],
    )
    make_vote(concern)
    return concern


def chart_of_page(concern):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return ConcernPage(request, concern)


def test_updates_are_numbered_links_in_date_order(news):
    page = chart_of_page(news)
    markers = page.chart.markers
    assert [(m.number, m.title, m.effect) for m in markers] == [
        (1, "Filming wraps", "eases"),
        (2, "Seoul set", "confirms"),
    ]
    html = render_to_string("includes/_opinion_chart.html", {"chart": page.chart})
    links = re.findall(
        r'<a href="([^"]+)" class="chart-marker effect-(\w+)"[^>]*>.*?'
        r'<text class="chart-marker-number"[^>]*>(\d)</text>',
        html,
        re.S,
    )
    assert links == [(markers[0].url, "eases", "1"), (markers[1].url, "confirms", "2")]


def test_the_list_under_the_chart_names_each_update_with_its_date_and_effect(news):
    chart = chart_of_page(news).chart
    html = render_to_string("includes/_opinion_chart.html", {"chart": chart})
    items = re.findall(r'<li><span class="chart-update-number[^>]*>(\d)</span>(.*?)</li>', html)
    assert [number for number, _ in items] == ["1", "2"]
    first = items[0][1]
    assert f'<a href="{chart.markers[0].url}">Filming wraps</a>' in first
    assert "Eases" in first and f'datetime="{chart.markers[0].day.isoformat()}"' in first


def test_nothing_of_an_update_is_drawn_inside_the_plot_but_its_rule(news):
    chart = chart_of_page(news).chart
    html = render_to_string("includes/_opinion_chart.html", {"chart": chart})
    badges = [
        float(cy) for cy in re.findall(r'class="chart-marker-badge" cx="[^"]+" cy="([^"]+)"', html)
    ]
    assert badges and all(cy + chart.badge_radius <= chart.top for cy in badges)


def test_an_update_before_the_first_vote_starts_the_chart():
    class Update:
        published_at = timezone.make_aware(datetime.datetime(2026, 10, 1, 12))
        title, pk = "Teaser", 1

        def get_absolute_url(self):
            return "/updates/teaser/"

    class Effect:
        update, effect = Update(), "unclear"

        def get_effect_display(self):
            return "Unclear"

    chart = chart_of([(TODAY, 1, 0)], [Effect()])
    assert [(m.day, m.x) for m in chart.markers] == [(datetime.date(2026, 10, 1), 52.0)]


def test_badges_of_updates_close_together_are_nudged_apart_and_stay_in_the_plot():
    effects = [news_of_the_day(TODAY, pk) for pk in (1, 2, 3)]
    chart = chart_of([(days_before(30), 10, 10), (TODAY, 10, 10)], effects)
    assert [m.badge_x for m in chart.markers] == [544.0, 584.0, 624.0]
    assert {m.x for m in chart.markers} == {624.0}


# --- the page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_settled_days_are_read_once_a_day(client):
    concern = make_concern()
    make_vote(concern)
    assert sum(row.votes for row in chart_of_page(concern).chart.rows) == 1
    # A history row written behind the operations' backs on a settled day: not re-read.
    VoteEvent.objects.create(
        user=make_user(),
        concern=concern,
        action="cast",
        verdict="overblown",
        created_at=timezone.now() - datetime.timedelta(days=5),
    )
    assert sum(row.votes for row in chart_of_page(concern).chart.rows) == 1
    make_vote(concern, verdict="overblown")
    assert sum(row.votes for row in chart_of_page(concern).chart.rows) == 2


@pytest.mark.django_db
def test_the_concern_page_says_how_the_chart_counts(client):
    concern = make_concern()
    make_vote(concern)
    html = client.get(concern.get_absolute_url()).text
    assert "Rolling 7-day share justified" in html
    assert '<path class="chart-band"' in html
    assert "Votes and share justified in each month with votes" in html


def test_many_updates_keep_every_badge_inside_the_plot():
    effects = [news_of_the_day(TODAY, pk) for pk in range(1, 31)]
    chart = chart_of([(days_before(30), 10, 10), (TODAY, 10, 10)], effects)
    places = [m.badge_x for m in chart.markers]
    assert len(places) == 30
    assert min(places) >= chart.left and max(places) <= chart.plot_right
    assert places == sorted(places)


def test_a_long_daily_chart_counts_its_bars_by_week():
    chart = chart_of([(days_before(n), 20, 20) for n in range(200)])
    assert not chart.rolling and chart.weekly_bars
    # 200 days: 28 full weeks back from today, and the first 4 days.
    assert len(chart.bars) == 29
    assert chart.bars_scale == 500
    assert chart.bars[-1][1] == round(40 * 280 / 500, 1)


def test_path_steps_add_up_to_the_rounded_points():
    points = [(52.04, 82.26), (53.61, 105.54), (55.17, 101.33)]
    assert svg_path(points) == "M52 82.3l1.6 23.2 1.6-4.2"
