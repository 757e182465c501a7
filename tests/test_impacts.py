"""What each update did to opinion: the statistics, the counting, when, and where it shows."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from news.models import Effect, SeasonUpdate, UpdateEffect
from news.publishing import publish_update, unpublish_update
from opinion.impacts import (
    measure,
    refresh_impacts,
    refresh_open_impacts,
    update_written,
    votes_landed,
)
from opinion.models import Movement, ReconsiderDismissal, UpdateImpact, Vote, VoteEvent
from opinion.stats import difference_interval
from opinion.tallies import forget_votes
from opinion.voting import cast_vote
from tests.factories import make_concern, make_update, make_user, make_vote

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def make_event(concern, user, verdict, when, action=VoteEvent.Action.CAST, previous=""):
    return VoteEvent.objects.create(
        concern=concern,
        user=user,
        action=action,
        verdict=verdict,
        previous_verdict=previous,
        created_at=when,
    )


def make_impact(concern, **figures):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 20 * DAY)
    return UpdateImpact.objects.create(effect=update.effects.get(), computed_at=NOW, **figures)


def effect_of(update):
    return UpdateEffect.objects.select_related("update").get(update=update)


# The statistics, against Newcombe (1998), Statistics in Medicine 17, table II, method 10


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ((48, 80), (56, 70), (0.0524, 0.3339)),
        ((3, 10), (9, 10), (0.1705, 0.8090)),
        ((0, 29), (5, 56), (-0.0381, 0.1926)),
    ],
)
def test_difference_interval_matches_newcombes_published_values(before, after, expected):
    low, high = difference_interval(before, after)
    assert (round(low, 4), round(high, 4)) == expected


def test_difference_interval_needs_votes_on_both_sides():
    assert difference_interval((0, 0), (5, 10)) is None


def test_clear_move_towards_justified_reads_in_points(concern):
    impact = make_impact(
        concern, before_justified=48, before_overblown=32, after_justified=56, after_overblown=14
    )
    assert impact.movement == Movement.TOWARDS_JUSTIFIED
    assert impact.summary == "Moved towards justified by 20 points (5 to 33)"


def test_clear_move_towards_overblown_reads_in_positive_points(concern):
    impact = make_impact(
        concern, before_justified=56, before_overblown=14, after_justified=48, after_overblown=32
    )
    assert impact.movement == Movement.TOWARDS_OVERBLOWN
    assert impact.summary == "Moved towards overblown by 20 points (5 to 33)"


def test_interval_spanning_no_change_reads_no_clear_change(concern):
    impact = make_impact(
        concern, before_justified=5, before_overblown=5, after_justified=6, after_overblown=4
    )
    assert impact.summary == "No clear change"


def test_empty_window_reads_too_few(concern):
    impact = make_impact(concern, after_justified=6, after_overblown=4)
    assert impact.movement == Movement.TOO_FEW


# Counting from the history


def test_each_window_counts_each_fan_once_with_their_last_verdict(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 3 * DAY)
    published = update.published_at
    flipper, steady, late = make_user(), make_user(), make_user()
    make_event(concern, flipper, "justified", published - 5 * DAY)
    make_event(concern, flipper, "overblown", published - 4 * DAY, VoteEvent.Action.CHANGE)
    make_event(concern, steady, "justified", published - 2 * DAY)
    make_event(concern, late, "justified", published + DAY)
    figures = measure(effect_of(update))
    assert (figures["before_justified"], figures["before_overblown"]) == (1, 1)
    assert (figures["after_justified"], figures["after_overblown"]) == (1, 0)


def test_votes_outside_the_windows_do_not_count(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 20 * DAY)
    make_event(concern, make_user(), "justified", update.published_at - 15 * DAY)
    make_event(concern, make_user(), "justified", update.published_at + 15 * DAY)
    figures = measure(effect_of(update))
    assert figures["before_justified"] + figures["after_justified"] == 0


def test_a_clear_takes_the_fan_out_and_keeping_changes_nothing(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 5 * DAY)
    cleared, kept = make_user(), make_user()
    make_event(concern, cleared, "justified", update.published_at + DAY)
    make_event(
        concern, cleared, "", update.published_at + 2 * DAY, VoteEvent.Action.CLEAR, "justified"
    )
    make_event(
        concern, kept, "overblown", update.published_at + 2 * DAY, VoteEvent.Action.RECONFIRM
    )
    figures = measure(effect_of(update))
    assert (figures["after_justified"], figures["after_overblown"]) == (0, 0)


def test_switchers_had_a_vote_standing_and_changed_it_after(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 5 * DAY)
    published = update.published_at
    convert, newcomer, stubborn = make_user(), make_user(), make_user()
    make_event(concern, convert, "overblown", published - 30 * DAY)
    make_event(concern, convert, "justified", published + DAY, VoteEvent.Action.CHANGE, "overblown")
    make_event(concern, newcomer, "justified", published + DAY)
    make_event(concern, stubborn, "justified", published - 30 * DAY)
    make_event(
        concern, stubborn, "overblown", published + DAY, VoteEvent.Action.CHANGE, "justified"
    )
    make_event(
        concern, stubborn, "justified", published + 2 * DAY, VoteEvent.Action.CHANGE, "overblown"
    )
    figures = measure(effect_of(update))
    assert (figures["switched_to_justified"], figures["switched_to_overblown"]) == (1, 0)


def test_refresh_writes_the_figures_once_per_effect(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - DAY)
    make_event(concern, make_user(), "justified", NOW - 2 * DAY)
    refresh_impacts([effect_of(update)])
    refresh_impacts([effect_of(update)])
    impact = UpdateImpact.objects.get()
    assert (impact.before_justified, impact.is_final) == (1, False)


def test_a_draft_loses_its_figures(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)])
    refresh_impacts([effect_of(update)])
    SeasonUpdate.objects.filter(pk=update.pk).update(status=SeasonUpdate.Status.DRAFT)
    refresh_impacts([effect_of(update)])
    assert not UpdateImpact.objects.exists()


# When the figures are worked out


def queued():
    return DBTaskResult.objects.filter(task_path="opinion.impacts.refresh_impacts_of").count()


def test_votes_in_an_open_window_queue_one_refresh_a_minute(concern):
    make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - DAY)
    votes_landed(concern.pk)
    votes_landed(concern.pk)
    assert queued() == 1


def test_votes_far_from_any_update_queue_nothing(concern):
    make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 30 * DAY)
    votes_landed(concern.pk)
    assert queued() == 0


def test_a_vote_asks_for_fresh_figures_once_it_commits(concern, django_capture_on_commit_callbacks):
    make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - DAY)
    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(make_user(), concern, "justified")
    assert queued() == 1


def test_saving_an_effect_queues_its_figures(concern, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_update(effects=[(concern, Effect.EASES)])
    assert queued() >= 1


def test_publishing_queues_the_updates_figures(concern, django_capture_on_commit_callbacks):
    update = make_update(effects=[(concern, Effect.EASES)], status=SeasonUpdate.Status.DRAFT)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        publish_update(update)
    assert queued() == 1


def test_taking_an_update_back_queues_its_figures(concern, django_capture_on_commit_callbacks):
    update = make_update(effects=[(concern, Effect.EASES)])
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        unpublish_update(update)
    assert queued() == 1


def test_a_write_behind_the_operations_back_measures_nothing(
    concern, django_capture_on_commit_callbacks
):
    # Figures are worked out by the operations that write news, called by
    # name, never by a signal on the rows themselves.
    update = make_update()
    with django_capture_on_commit_callbacks(execute=True):
        UpdateEffect.objects.create(update=update, concern=concern, effect=Effect.EASES)
        SeasonUpdate.objects.get(pk=update.pk).save()
    assert queued() == 0


def test_update_written_with_no_effects_queues_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update_written([])
    assert queued() == 0


def test_daily_run_refreshes_open_windows_and_queues_tomorrow(concern):
    make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 3 * DAY)
    make_update(effects=[(concern, Effect.EASES)], published_at=NOW - 40 * DAY)
    assert refresh_open_impacts.call() == 1
    assert DBTaskResult.objects.filter(task_path="opinion.impacts.refresh_open_impacts").exists()


# Where it shows


def impact_on_page(concern, update, justified_after=6):
    published = update.published_at
    for i in range(4):
        make_event(concern, make_user(), "justified" if i < 2 else "overblown", published - DAY)
    for i in range(8):
        verdict = "justified" if i < justified_after else "overblown"
        make_event(concern, make_user(), verdict, published + DAY)
    refresh_impacts([effect_of(update)])


def test_concern_page_states_each_updates_effect(client, concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 3 * DAY)
    impact_on_page(concern, update)
    html = client.get(concern.get_absolute_url()).text
    assert "No clear change" in html
    assert "50% of 4 voting fans called this fear justified" in html
    assert "No fan who had voted before the update switched" in html


def test_update_page_states_its_effect_on_each_concern(client, concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 3 * DAY)
    impact_on_page(concern, update)
    html = client.get(update.get_absolute_url()).text
    assert "in the 14 days after, 75% of 8." in html
    assert "these figures are so far" in html


def test_hidden_results_hide_the_effect_until_the_fan_votes(client, concern):
    concern.results_hidden_until_vote = True
    concern.save()
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 3 * DAY)
    impact_on_page(concern, update)
    fan = make_user()
    client.force_login(fan)
    assert "voting fans" not in client.get(update.get_absolute_url()).text
    make_vote(concern, fan)
    assert "voting fans" in client.get(update.get_absolute_url()).text


# The reminder to reconsider


@pytest.fixture
def voted_before_news(fan, concern):
    cast_vote(fan, concern, "justified")
    Vote.objects.filter(user=fan).update(confirmed_at=NOW - 2 * DAY)
    return fan


def test_no_reminder_when_the_news_agrees_with_the_vote(fan_client, voted_before_news, concern):
    make_update(effects=[(concern, Effect.CONFIRMS)])
    assert "still think it" not in fan_client.get(concern.get_absolute_url()).text


def test_reminder_when_the_news_goes_against_the_vote(fan_client, voted_before_news, concern):
    make_update(effects=[(concern, Effect.EASES)])
    assert "still think it's justified?" in fan_client.get(concern.get_absolute_url()).text


def test_dismissed_reminder_does_not_come_back(fan_client, voted_before_news, concern):
    update = make_update(effects=[(concern, Effect.EASES)])
    response = fan_client.post(
        f"/concerns/{concern.slug}/dismiss/", {"update": update.pk}, follow=True
    )
    assert "We will not ask about this update again." in response.text
    assert "still think it" not in fan_client.get(concern.get_absolute_url()).text
    assert ReconsiderDismissal.objects.filter(user=voted_before_news, update=update).exists()


def test_dismissing_one_update_leaves_the_next_to_ask(fan_client, voted_before_news, concern):
    older = make_update(effects=[(concern, Effect.EASES)], published_at=NOW - DAY)
    make_update(title="Second teaser", effects=[(concern, Effect.EASES)], published_at=NOW)
    fan_client.post(f"/concerns/{concern.slug}/dismiss/", {"update": older.pk})
    assert "Second teaser" in fan_client.get(concern.get_absolute_url()).text


def test_dismissing_an_update_of_another_fear_is_refused(fan_client, voted_before_news, concern):
    elsewhere = make_update()
    response = fan_client.post(
        f"/concerns/{concern.slug}/dismiss/", {"update": elsewhere.pk}, follow=True
    )
    assert "That update does not bear on this fear." in response.text
    assert not ReconsiderDismissal.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choose the update whose reminder to dismiss."),
        ("abc", "That update does not bear on this fear."),
        ("99999999999999999999", "That update does not bear on this fear."),
        ("1 OR 1=1", "That update does not bear on this fear."),
    ],
)
def test_dismiss_with_odd_input_says_what_is_wrong(fan_client, concern, value, message):
    response = fan_client.post(f"/concerns/{concern.slug}/dismiss/", {"update": value}, follow=True)
    assert response.status_code == 200
    assert message in response.text


def test_anonymous_dismiss_goes_to_login(client, concern):
    update = make_update(effects=[(concern, Effect.EASES)])
    response = client.post(f"/concerns/{concern.slug}/dismiss/", {"update": update.pk})
    assert response.url.startswith("/accounts/login/")
    assert not ReconsiderDismissal.objects.exists()


def test_update_page_reads_every_effects_figures_in_one_query(
    db, client, django_assert_max_num_queries
):
    concerns = [make_concern() for _ in range(4)]
    update = make_update(
        effects=[(concern, Effect.CONFIRMS) for concern in concerns], published_at=NOW - 3 * DAY
    )
    for concern in concerns:
        make_event(concern, make_user(), "justified", update.published_at - DAY)
        make_event(concern, make_user(), "overblown", update.published_at + DAY)
    refresh_impacts(UpdateEffect.objects.filter(update=update).select_related("update"))
    client.get(update.get_absolute_url())
    with django_assert_max_num_queries(4):
        html = client.get(update.get_absolute_url()).text
    assert html.count("voting fans called this fear justified") == 4


def test_a_move_whose_interval_prints_from_zero_is_no_clear_change(concern):
    # 50 of 100 then 64 of 100: the exact interval starts at 0.3 points, printed as 0.
    impact = make_impact(
        concern, before_justified=50, before_overblown=50, after_justified=64, after_overblown=36
    )
    assert impact.interval == (14, 0, 27)
    assert impact.movement == Movement.NO_CLEAR_CHANGE


def test_one_point_reads_in_the_singular(concern):
    impact = make_impact(
        concern,
        before_justified=50000,
        before_overblown=50000,
        after_justified=51200,
        after_overblown=48800,
    )
    assert impact.summary == "Moved towards justified by 1 point (1 to 2)"


def test_rewriting_past_votes_measures_every_update_again(
    concern, django_capture_on_commit_callbacks
):
    make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 60 * DAY)
    fan = make_user()
    make_vote(concern, fan)
    with django_capture_on_commit_callbacks(execute=True):
        forget_votes([fan])
    assert queued() == 1


def test_a_deleted_fans_history_leaves_the_figures(concern):
    update = make_update(effects=[(concern, Effect.CONFIRMS)], published_at=NOW - 5 * DAY)
    make_event(concern, None, "justified", update.published_at + DAY)
    make_event(
        concern, None, "overblown", update.published_at + DAY, VoteEvent.Action.CHANGE, "justified"
    )
    figures = measure(effect_of(update))
    assert (figures["after_justified"], figures["after_overblown"]) == (0, 0)
