"""Vote bursts from new accounts: detection against the usual rate, the admin view, its link."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation.bursts import BurstReport
from opinion.models import VoteEvent
from tests.factories import make_concern, make_curator, make_moderator, make_user
from tests.test_html_valid import vnu  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
NOW = datetime.datetime(2026, 3, 10, 12, 30, tzinfo=datetime.UTC)
CURRENT_HOUR = NOW.replace(minute=0)
LAST_FULL_HOUR = CURRENT_HOUR - HOUR
# The first of the 48 hours shown; the usual rate is taken from the week before it.
SHOWN_FROM = CURRENT_HOUR - 47 * HOUR


def votes(concern, hour, count, account_age=HOUR, action="cast"):
    """`count` votes in the hour starting at `hour`, by one account this old when it voted."""
    fan = make_user(date_joined=hour - account_age)
    VoteEvent.objects.bulk_create(
        VoteEvent(
            user=fan,
            concern=concern,
            action=action,
            verdict="" if action == "clear" else "justified",
            created_at=hour + datetime.timedelta(seconds=n),
        )
        for n in range(count)
    )


def usual_week(concern, per_hour, hours):
    """`per_hour` votes in each of the first `hours` hours of the week before the chart."""
    for n in range(hours):
        votes(concern, SHOWN_FROM - (n + 1) * HOUR, per_hour)


def test_usual_rate_is_the_median_hour_of_the_week_before(concern):
    # 90 of the 168 hours had 10 votes: the median hour had 10.
    usual_week(concern, 10, 90)
    assert BurstReport(NOW).overall.usual == 10


def test_quiet_hours_count_in_the_usual_rate(concern):
    # 80 of 168 hours had votes: the median hour had none.
    usual_week(concern, 10, 80)
    assert BurstReport(NOW).overall.usual == 0


def test_burst_when_the_last_full_hour_passes_the_minimum(concern):
    votes(concern, LAST_FULL_HOUR, 21)
    assert BurstReport(NOW).bursting


def test_no_burst_at_the_minimum_itself(concern):
    votes(concern, LAST_FULL_HOUR, 20)
    assert not BurstReport(NOW).bursting


def test_burst_when_the_current_hour_so_far_passes_it(concern):
    votes(concern, CURRENT_HOUR, 21)
    assert BurstReport(NOW).bursting


def test_an_earlier_burst_is_not_on_now(concern):
    votes(concern, CURRENT_HOUR - 3 * HOUR, 50)
    report = BurstReport(NOW)
    assert [bar.votes for bar in report.overall.bars if bar.over] == [50]
    assert not report.bursting


def test_threshold_is_three_times_a_busy_usual_rate(concern):
    usual_week(concern, 10, 90)
    votes(concern, LAST_FULL_HOUR, 30)
    assert not BurstReport(NOW).bursting
    votes(concern, LAST_FULL_HOUR, 1)
    assert BurstReport(NOW).bursting


def test_accounts_older_than_a_day_at_the_vote_do_not_count(concern):
    votes(concern, LAST_FULL_HOUR, 50, account_age=datetime.timedelta(hours=25))
    assert BurstReport(NOW).overall.counts[-2] == 0


def test_clears_do_not_count(concern):
    votes(concern, LAST_FULL_HOUR, 50, action="clear")
    assert BurstReport(NOW).overall.counts[-2] == 0


def test_changes_count(concern):
    votes(concern, LAST_FULL_HOUR, 5, action="change")
    assert BurstReport(NOW).overall.counts[-2] == 5


def test_burst_on_one_concern_against_its_own_usual_rate(concern):
    busy = make_concern()
    usual_week(busy, 10, 90)
    votes(concern, LAST_FULL_HOUR, 25)
    report = BurstReport(NOW)
    assert not report.overall.bursting
    assert [chart.bursting for chart in report.concerns] == [True, False]
    assert report.bursting


def test_counts_are_grouped_by_the_database(concern):
    usual_week(concern, 3, 50)
    votes(make_concern(), LAST_FULL_HOUR, 21)
    with CaptureQueriesContext(connection) as queries:
        assert BurstReport(NOW).bursting
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert len(BurstReport(NOW).charts) == 3
    assert len(queries) == 2


URL = "/admin/vote-bursts/"


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_fan_without_staff_flag_is_sent_to_log_in(fan_client):
    response = fan_client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_curator_may_not_see_bursts(client, db):
    client.force_login(make_curator())
    assert client.get(URL).status_code == 403


def just_now():
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)


def test_moderator_sees_bursts(client, concern):
    votes(concern, just_now(), 2)
    client.force_login(make_moderator())
    response = client.get(URL)
    assert response.status_code == 200
    assert concern.title in response.content.decode()


def test_admin_index_alerts_moderators_while_a_burst_is_on(client, concern):
    votes(concern, just_now(), 21)
    client.force_login(make_moderator())
    page = client.get(reverse("admin:index")).content.decode()
    assert "A burst of votes from new accounts is on." in page
    assert f'href="{URL}"' in page


def test_admin_index_links_bursts_plainly_when_none_is_on(client, concern):
    client.force_login(make_moderator())
    page = client.get(reverse("admin:index")).content.decode()
    assert "A burst of votes from new accounts is on." not in page
    assert f'<a href="{URL}">Vote bursts from new accounts</a>' in page


def test_admin_index_has_no_bursts_link_for_curators(client, concern):
    client.force_login(make_curator())
    assert URL not in client.get(reverse("admin:index")).content.decode()


def test_bursts_page_and_index_alert_are_valid_html(client, concern, vnu, tmp_path):  # noqa: F811
    votes(concern, just_now(), 30)
    client.force_login(make_moderator())
    page = client.get(URL).content.decode()
    assert "<svg" in page and "<table>" in page
    (tmp_path / "bursts.html").write_text(page)
    (tmp_path / "index.html").write_text(client.get(reverse("admin:index")).content.decode())
    assert vnu(tmp_path) == []
