"""The tally among established fans: who counts, when it differs, where it shows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import SeasonUpdate, UpdateEffect
from opinion.established import established_counts, established_tally
from opinion.models import Vote, VoteEvent
from opinion.stats import Tally
from tests.factories import age_account, make_comment, make_update, make_user, make_vote
from tests.test_html_valid import vnu  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def published_days_ago(concern, days):
    when = timezone.now() - days * DAY
    return make_update(effects=[(concern, UpdateEffect.Effect.CONFIRMS)], published_at=when)


def fan_aged(days):
    return age_account(make_user(), hours=24 * days)


def acted(fan, concern, when):
    """A vote of the fan's in the history, at a chosen moment."""
    VoteEvent.objects.create(
        user=fan, concern=concern, action="cast", verdict="justified", created_at=when
    )


def established_fans(concern):
    latest = concern.update_effects.public().values_list("update__published_at", flat=True)
    votes = Vote.objects.filter(concern=concern).established(latest.first(), timezone.now())
    return set(votes.values_list("user", flat=True))


def test_old_fan_who_voted_before_the_update_counts(concern):
    update = published_days_ago(concern, 2)
    fan = fan_aged(30)
    acted(fan, concern, update.published_at - DAY)
    make_vote(concern, fan)
    assert established_fans(concern) == {fan.pk}


def test_old_fan_who_commented_before_the_update_counts(concern):
    update = published_days_ago(concern, 2)
    fan = fan_aged(30)
    make_comment(concern, author=fan, created_at=update.published_at - DAY)
    make_vote(concern, fan)
    assert established_fans(concern) == {fan.pk}


def test_new_account_does_not_count(concern):
    update = published_days_ago(concern, 2)
    fan = fan_aged(6)
    acted(fan, concern, update.published_at - DAY)
    make_vote(concern, fan)
    assert established_fans(concern) == set()


def test_old_dormant_account_woken_by_the_update_does_not_count(concern):
    published_days_ago(concern, 2)
    fan = fan_aged(300)
    make_vote(concern, fan)
    assert established_fans(concern) == set()


def test_without_a_published_update_age_alone_decides(concern):
    make_update(effects=[(concern, UpdateEffect.Effect.CONFIRMS)], status=SeasonUpdate.Status.DRAFT)
    old, new = fan_aged(8), fan_aged(6)
    make_vote(concern, old)
    make_vote(concern, new)
    assert established_fans(concern) == {old.pk}


def test_established_counts_each_verdict(concern):
    published_days_ago(concern, 2)
    for verdict in ("justified", "overblown", "overblown"):
        fan = fan_aged(30)
        make_comment(concern, author=fan, created_at=timezone.now() - 10 * DAY)
        make_vote(concern, fan, verdict)
    make_vote(concern, fan_aged(1), "justified")
    assert established_counts(concern) == (1, 2)


def test_differs_when_the_whole_share_is_outside_the_established_interval():
    # 40/100 gives 31% to 50%; the whole's 70% lies far outside.
    assert Tally(40, 60).differs_from(Tally(70, 30))


def test_does_not_differ_when_the_whole_share_is_inside_the_interval():
    # 50/100 gives 40% to 60%; the whole's 52% lies inside.
    assert not Tally(50, 50).differs_from(Tally(52, 48))


def test_no_established_votes_never_differs():
    assert not Tally(0, 0).differs_from(Tally(70, 30))


@pytest.fixture
def brigaded(concern):
    """Two established fans say overblown; eight new accounts say justified."""
    update = published_days_ago(concern, 2)
    for _ in range(2):
        fan = fan_aged(30)
        acted(fan, concern, update.published_at - DAY)
        make_vote(concern, fan, "overblown")
    for _ in range(8):
        make_vote(concern, make_user(), "justified")
    return concern


def test_page_shows_established_tally_when_it_differs(client, brigaded):
    page = client.get(brigaded.get_absolute_url()).content.decode()
    assert "Among established fans: <strong>0% justified</strong> (0\u201366%), 2 votes" in page
    assert "accounts older than 7 days" in page


def test_home_shows_established_tally_beside_the_fears_tally(client, brigaded):
    page = client.get("/").content.decode()
    assert (
        "Among established fans: <strong>0% justified</strong> (0\u201366%), unlike the whole."
        in page
    )


def test_home_leaves_it_out_while_results_are_hidden(client, brigaded):
    brigaded.results_hidden_until_vote = True
    brigaded.save()
    assert "Among established fans" not in client.get("/").content.decode()


def test_page_with_the_established_tally_is_valid_html(client, brigaded, vnu, tmp_path):  # noqa: F811
    page = client.get(brigaded.get_absolute_url()).content.decode()
    assert "Among established fans" in page
    (tmp_path / "concern.html").write_text(page)
    assert vnu(tmp_path) == []


def test_page_leaves_it_out_when_it_does_not_differ(client, concern):
    published_days_ago(concern, 2)
    for verdict in ("justified", "overblown"):
        fan = fan_aged(30)
        acted(fan, concern, timezone.now() - 10 * DAY)
        make_vote(concern, fan, verdict)
    make_vote(concern, make_user(), "justified")
    assert "Among established fans" not in client.get(concern.get_absolute_url()).content.decode()


def test_page_leaves_it_out_while_results_are_hidden(client, brigaded):
    brigaded.results_hidden_until_vote = True
    brigaded.save()
    assert "Among established fans" not in client.get(brigaded.get_absolute_url()).content.decode()


def test_api_detail_carries_the_established_tally(client, brigaded):
    data = client.get(f"/api/concerns/{brigaded.slug}/").json()
    assert data["established"] == {
        "justified": 0,
        "overblown": 2,
        "interval": [0, 66],
        "differs": True,
    }


def test_api_detail_hides_it_with_the_results(client, brigaded):
    brigaded.results_hidden_until_vote = True
    brigaded.save()
    data = client.get(f"/api/concerns/{brigaded.slug}/").json()
    assert data["established"] is None


def test_established_tally_is_read_from_the_cache_the_second_time(brigaded):
    first = established_tally(brigaded, brigaded.tally)
    with CaptureQueriesContext(connection) as queries:
        second = established_tally(brigaded, brigaded.tally)
    assert second == first
    assert not [q for q in queries if "opinion_vote" in q["sql"]]
