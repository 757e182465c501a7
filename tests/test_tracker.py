import datetime
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from news.models import NewsStatus, SeasonUpdate, UpdateEffect, UpdateState
from opinion.charts import daily_tallies, opinion_chart, sparkline
from opinion.models import DailyShift, Vote, VoteEvent
from opinion.stats import Tally, wilson_interval
from opinion.voting import cast_vote, keep_vote
from tests.factories import (
    count_queries,
    make_article,
    make_concern,
    make_curator,
    make_moderator,
    make_update,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (50, 100, 0.4038, 0.5962),
        (81, 263, 0.2553, 0.3662),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_interval_matches_published_values(successes, total, low, high):
    bounds = wilson_interval(successes, total)
    assert bounds == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_without_votes_is_none():
    assert wilson_interval(0, 0) is None


def test_tally_shows_interval_as_whole_percents():
    assert Tally(8, 2).interval == (49, 94)


def test_three_votes_are_tentative_and_many_are_not():
    assert Tally(3, 0).is_tentative
    assert not Tally(300, 200).is_tentative


def test_concern_page_shows_n_and_range(client, concern):
    for verdict in ["justified"] * 8 + ["overblown"] * 2:
        make_vote(concern, verdict=verdict)
    html = client.get(concern.get_absolute_url()).text
    assert "10 votes" in html
    assert "95% range 49\u201394%" in html


def test_home_ranks_by_lower_bound_so_few_votes_do_not_top(client):
    article = make_article()
    few = make_concern(article, title="Two votes all justified", position=1)
    many = make_concern(article, title="Forty votes mostly justified", position=2)
    for _ in range(2):
        make_vote(few)
    for verdict in ["justified"] * 32 + ["overblown"] * 8:
        make_vote(many, verdict=verdict)
    html = client.get("/").text
    assert html.index("Forty votes mostly justified") < html.index("Two votes all justified")


def test_home_names_most_divisive_and_clearest_consensus(client):
    article = make_article()
    even = make_concern(article, title="Split fear")
    clear = make_concern(article, title="Agreed fear")
    quiet = make_concern(article, title="Quiet fear")
    for verdict in ["justified", "overblown"] * 6:
        make_vote(even, verdict=verdict)
    for _ in range(12):
        make_vote(clear, verdict="overblown")
    make_vote(quiet)
    response = client.get("/")
    assert response.context["page"].most_divisive == even
    assert response.context["page"].clearest_consensus == clear
    assert "Most divisive" in response.text and "Clearest consensus" in response.text


def test_home_names_nothing_without_enough_votes(client, concern):
    make_vote(concern)
    response = client.get("/")
    assert response.context["page"].most_divisive is None
    assert "Most divisive" not in response.text


@pytest.mark.parametrize(
    ("effects", "status"),
    [
        ([], NewsStatus.OPEN),
        (["unclear"], NewsStatus.OPEN),
        (["confirms"], NewsStatus.CONFIRMED),
        (["eases", "unclear"], NewsStatus.EASED),
        (["confirms", "eases"], NewsStatus.CONTESTED),
    ],
)
def test_news_status_rule(concern, effects, status):
    for effect in effects:
        make_update(effects=[(concern, effect)])
    assert concern.update_effects.public().news_status() == status


def test_draft_news_does_not_count_towards_status(concern):
    make_update(effects=[(concern, "confirms")], status="draft", published_at=None)
    assert concern.update_effects.public().news_status() == NewsStatus.OPEN


def test_concern_page_states_status_and_rule(client, concern):
    make_update(effects=[(concern, "eases")])
    html = client.get(concern.get_absolute_url()).text
    assert 'class="status-badge status-eased"' in html
    assert "contested when they do both" in html


def test_votes_write_daily_shifts_that_sum_to_the_votes(concern):
    fans = [make_user() for _ in range(4)]
    for fan, verdict in zip(
        fans, ["justified", "justified", "overblown", "overblown"], strict=True
    ):
        cast_vote(fan, concern, verdict)
    cast_vote(fans[0], concern, "overblown")
    cast_vote(fans[2], concern, "clear")
    totals = DailyShift.objects.aggregate(j=Sum("justified_change"), o=Sum("overblown_change"))
    assert (totals["j"], totals["o"]) == (
        Vote.objects.filter(verdict="justified").count(),
        Vote.objects.filter(verdict="overblown").count(),
    )
    assert DailyShift.objects.values("day").distinct().count() == 1


def test_keeping_a_vote_moves_nothing_on_the_chart(fan, concern):
    cast_vote(fan, concern, "justified")
    keep_vote(fan, concern)
    shift = DailyShift.objects.get()
    assert (shift.justified_change, shift.overblown_change) == (1, 0)


def test_daily_tallies_carry_forward_across_quiet_days():
    shifts = [(DAY, 2, 1), (DAY + datetime.timedelta(days=2), 0, 1)]
    tallies = daily_tallies(shifts, today=DAY + datetime.timedelta(days=3))
    assert [(t.justified, t.overblown, t.changed) for t in tallies] == [
        (2, 1, True),
        (2, 1, False),
        (2, 2, True),
        (2, 2, False),
    ]
    assert tallies[0].percent == 66.7


def test_daily_tallies_keep_history_older_than_the_window():
    shifts = [(DAY - datetime.timedelta(days=400), 5, 0), (DAY, 0, 5)]
    tallies = daily_tallies(shifts, days=10, today=DAY)
    assert len(tallies) == 10
    assert (tallies[0].justified, tallies[-1].overblown) == (5, 5)


def test_chart_places_line_and_update_marker(concern):
    update = make_update(title="Seoul", effects=[(concern, "confirms")])
    day = timezone.localdate(update.published_at)
    verdicts = [(day - datetime.timedelta(days=1), 1, 1), (day, 2, 0)]
    chart = opinion_chart(
        verdicts, concern.update_effects.public().select_related("update"), today=day
    )
    # Few votes a day: each point is the week up to it, 1 of 2 then 3 of 4.
    assert chart.lines == [[(52.0, 118.0), (624.0, 79.0)]]
    assert [(m.title, m.x, m.effect) for m in chart.markers] == [("Seoul", 624.0, "confirms")]
    assert sum(row.votes for row in chart.rows) == 4


def test_chart_table_holds_each_months_votes_and_share():
    verdicts = [
        (datetime.date(2026, 9, 3), 1, 1),
        (datetime.date(2026, 9, 20), 2, 0),
        (datetime.date(2026, 11, 2), 0, 4),
    ]
    rows = opinion_chart(verdicts, [], today=datetime.date(2026, 11, 5)).rows
    # October had no votes; November's row is its votes so far.
    assert [(row.month, row.votes, row.percent) for row in rows] == [
        (datetime.date(2026, 9, 1), 4, 75.0),
        (datetime.date(2026, 11, 1), 4, 0.0),
    ]


def test_sparkline_is_empty_without_votes():
    assert sparkline([]) == ""


def test_concern_page_draws_chart_with_table_and_marker(client, concern):
    make_vote(concern)
    make_update(title="Filming wraps", effects=[(concern, "eases")])
    html = client.get(concern.get_absolute_url()).text
    assert '<path class="chart-line"' in html or '<circle class="chart-dot"' in html
    assert "Votes and share justified in each month with votes" in html
    marker = html.split('class="chart-marker effect-eases"', 1)[1]
    assert "Filming wraps" in marker.split("</title>", 1)[0]


def test_home_shows_a_sparkline_per_voted_concern(client, concern):
    make_vote(concern)
    assert '<svg class="sparkline"' in client.get("/").text


@pytest.fixture
def voted(fan, concern):
    cast_vote(fan, concern, "justified")
    Vote.objects.filter(user=fan).update(confirmed_at=timezone.now() - timezone.timedelta(days=2))
    return fan


def test_reconsider_banner_after_easing_news(fan_client, voted, concern):
    make_update(title="Cast returns", effects=[(concern, "eases")])
    html = fan_client.get(concern.get_absolute_url()).text
    assert "A new update eases this fear: still think it's justified?" in html
    assert "Cast returns" in html


def test_no_banner_for_news_older_than_the_vote(fan_client, voted, concern):
    update = make_update(
        effects=[(concern, "eases")], published_at=timezone.now() - timezone.timedelta(days=5)
    )
    assert "still think it" not in fan_client.get(concern.get_absolute_url()).text
    # The same news, had the vote come before it, asks.
    Vote.objects.filter(user=voted).update(
        confirmed_at=update.published_at - timezone.timedelta(days=1)
    )
    assert "still think it" in fan_client.get(concern.get_absolute_url()).text


def test_no_banner_for_unclear_news(fan_client, voted, concern):
    update = make_update(effects=[(concern, "unclear")])
    assert "still think it" not in fan_client.get(concern.get_absolute_url()).text
    # The same news, had it eased the fear, asks.
    UpdateEffect.objects.filter(update=update).update(effect="eases")
    assert "still think it" in fan_client.get(concern.get_absolute_url()).text


def test_no_banner_before_scheduled_news_is_due(fan_client, voted, concern):
    update = make_update(
        effects=[(concern, "eases")], published_at=timezone.now() + timezone.timedelta(hours=1)
    )
    assert "still think it" not in fan_client.get(concern.get_absolute_url()).text
    # Once it is due, it asks.
    SeasonUpdate.objects.filter(pk=update.pk).update(published_at=timezone.now())
    assert "still think it" in fan_client.get(concern.get_absolute_url()).text


def test_keep_records_reconfirmation_and_banner_goes(fan_client, voted, concern):
    make_update(effects=[(concern, "eases")])
    assert "still think it" in fan_client.get(concern.get_absolute_url()).text
    response = fan_client.post(f"/concerns/{concern.slug}/keep/", follow=True)
    assert "Noted: your vote stands." in response.text
    assert "still think it" not in response.text
    event = VoteEvent.objects.first()
    assert (event.action, event.verdict) == ("reconfirm", "justified")
    assert Vote.objects.get(user=voted).verdict == "justified"


def test_changing_after_news_also_clears_banner(fan_client, voted, concern):
    make_update(effects=[(concern, "eases")])
    assert "still think it" in fan_client.get(concern.get_absolute_url()).text
    response = fan_client.post(
        f"/concerns/{concern.slug}/vote/", {"verdict": "overblown"}, follow=True
    )
    assert "still think it" not in response.text
    assert Vote.objects.get(user=voted).verdict == "overblown"


def test_keep_without_a_vote_says_so(fan_client, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/keep/", follow=True)
    assert "You have not voted on this concern yet." in response.text
    assert not VoteEvent.objects.exists()


def test_anonymous_keep_goes_to_login(client, concern):
    response = client.post(f"/concerns/{concern.slug}/keep/")
    assert response.url.startswith("/accounts/login/")


def test_hidden_results_for_anonymous(client, blind):
    html = client.get(blind.get_absolute_url()).text
    assert "Results are hidden until you vote" in html
    assert "3 votes" not in html
    assert "chart-svg" not in html


def test_hidden_results_shown_after_voting(fan_client, fan, blind):
    assert "3 votes" not in fan_client.get(blind.get_absolute_url()).text
    cast_vote(fan, blind, "overblown")
    html = fan_client.get(blind.get_absolute_url()).text
    assert "4 votes" in html
    assert "Results are hidden" not in html


def test_hidden_results_on_home(client, blind):
    html = client.get("/").text
    assert "Results are hidden until you vote" in html
    assert '<svg class="sparkline"' not in html


def test_update_state_draft_scheduled_published():
    assert make_update(status="draft", published_at=None).state == UpdateState.DRAFT
    later = timezone.now() + timezone.timedelta(days=1)
    assert make_update(published_at=later).state == UpdateState.SCHEDULED
    assert make_update().state == UpdateState.PUBLISHED


def test_scheduled_update_goes_public_when_its_time_comes(client, concern):
    update = make_update(
        title="Teaser drops",
        effects=[(concern, "confirms")],
        published_at=timezone.now() + timezone.timedelta(minutes=5),
    )
    pages = [
        "/updates/",
        concern.get_absolute_url(),
        "/updates/feed/",
        f"/concerns/{concern.slug}/feed/",
    ]
    assert all("Teaser drops" not in client.get(url).text for url in pages)
    SeasonUpdate.objects.filter(pk=update.pk).update(
        published_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert all("Teaser drops" in client.get(url).text for url in pages)


def test_admin_lists_state_and_publishes_now(client, concern):
    update = make_update(status="draft", published_at=None, title="Draft news")
    curator = make_curator()
    client.force_login(curator)
    html = client.get("/admin/news/seasonupdate/").text
    assert '<td class="field-state">Draft</td>' in html
    response = client.post(
        "/admin/news/seasonupdate/",
        {"action": "publish_now", "_selected_action": [update.pk]},
        follow=True,
    )
    assert "1 update published." in response.text
    update.refresh_from_db()
    assert update.is_public
    assert LogEntry.objects.filter(user=curator, object_id=str(update.pk)).exists()


def test_staff_preview_a_draft_but_fans_cannot(client, fan_client, db):
    update = make_update(status="draft", published_at=None, title="Secret")
    assert fan_client.get(update.get_absolute_url()).status_code == 404
    client.force_login(make_curator())
    response = client.get(update.get_absolute_url())
    assert response.status_code == 200
    assert "Preview for staff: this update is not public (Draft)." in response.text


def test_source_url_must_be_http_or_https(db):
    update = SeasonUpdate(
        title="t", slug="t", summary="s", source_name="n", source_url="ftp://files.example/x"
    )
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "source_url" in error.value.message_dict


def test_spoiler_update_is_collapsed_everywhere(client, concern):
    make_update(
        title="Ending revealed",
        summary="Everyone turns",
        is_spoiler=True,
        effects=[(concern, "confirms")],
    )
    for url in ["/", "/updates/", concern.get_absolute_url()]:
        html = client.get(url).text
        start = html.index('<details class="spoiler">')
        assert start < html.index("Everyone turns") < html.index("</details>", start)


def test_simulate_history_writes_consistent_rows(db):
    call_command("seed", stdout=StringIO())
    call_command("simulate_history", votes=200, days=30, stdout=StringIO())
    totals = DailyShift.objects.aggregate(j=Sum("justified_change"), o=Sum("overblown_change"))
    assert totals["j"] + totals["o"] == Vote.objects.count() == 200
    assert VoteEvent.objects.count() == 200


def test_home_and_concern_queries_do_not_grow_with_history(fan_client, fan):
    article = make_article()
    small, large = make_concern(article), make_concern(article)
    make_vote(small, verdict="justified")
    call_command("seed", stdout=StringIO())
    for concern in (small, large):
        make_update(effects=[(concern, "eases")])
    before = count_queries(fan_client, small.get_absolute_url())
    home_before = count_queries(fan_client, article.get_absolute_url())
    for i in range(60):
        DailyShift.objects.create(
            concern=large, day=DAY - datetime.timedelta(days=i), justified_change=i % 3
        )
        make_vote(large, verdict=["justified", "overblown"][i % 2])
    assert count_queries(fan_client, large.get_absolute_url()) == before
    assert count_queries(fan_client, article.get_absolute_url()) == home_before


def test_publish_now_action_is_for_curators_not_moderators(client, db):
    update = make_update(status="draft", published_at=None)
    client.force_login(make_moderator())
    client.post(
        reverse("admin:news_seasonupdate_changelist"),
        {"action": "publish_now", "_selected_action": [update.pk]},
    )
    update.refresh_from_db()
    assert update.state == UpdateState.DRAFT


def test_update_effect_unique_reason_shown_on_update_page(client, concern):
    update = make_update(effects=[(concern, UpdateEffect.Effect.EASES)])
    html = client.get(update.get_absolute_url()).text
    assert "Eases the fear" in html
    assert update.effects.get().reason in html


def test_single_day_chart_has_one_centred_date_and_a_dot():
    chart = opinion_chart([(DAY, 1, 0)], [], today=DAY)
    assert [label["anchor"] for label in chart.axis_labels] == ["middle"]
    assert chart.dots == [{"x": 338.0, "y": 40.0}]


def test_large_counts_use_a_thousands_separator():
    html = render_to_string("includes/_tally.html", {"tally": Tally(16109, 8891)})
    assert "(16,109)" in html and "25,000 votes" in html


def test_api_hides_tallies_until_the_visitor_has_voted(client, fan, blind):
    data = client.get(f"/api/concerns/{blind.slug}/").json()
    assert (data["justified"], data["overblown"], data["results_hidden"]) == (None, None, True)
    cast_vote(fan, blind, "justified")
    client.force_login(fan)
    data = client.get("/api/concerns/").json()[0]
    assert (data["justified"], "results_hidden" in data) == (4, False)
