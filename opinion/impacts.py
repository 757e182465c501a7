"""What each Season 2 update did to opinion: worked out ahead, so pages only read it.

For each effect of an update on a concern, the fans who voted in the
IMPACT_WINDOW_DAYS before the update and in those after it are counted, each
once with their last verdict in that window (a clear takes them out), and
the two justified shares are compared (UpdateImpact.interval). Fans whose
vote stood when the update came out and who changed it within the window
after are the switchers.

Newcombe's interval takes the two windows as independent samples. They are
not quite: a fan who voted in both counts in both. The page says so; the
figures are a guide to what the news did, not a trial.

The figures are refreshed when an update or its effects are saved
(`update_written`, which news's publishing and the curators' admin call),
when votes land on a concern with an update
whose window is open (cast_vote, at most once a minute per concern), and
every day for updates still in their window (DAILY_TASKS).
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from caching.versions import CONTENT, HISTORY, NEWS
from outbox.schedule import again_tomorrow

from .models import IMPACT_WINDOW_DAYS, UpdateImpact, Verdict, VoteEvent

WINDOW = datetime.timedelta(days=IMPACT_WINDOW_DAYS)
# Votes on a concern ask for its figures again at most this often (seconds).
REFRESH_SECONDS = 60
# The open windows are dropped after this long (seconds), if no write to news
# replaced them first; the day they were read for is in their key as well.
WINDOWS_SECONDS = 24 * 3600
# History that moves a fan's verdict; keeping it after news says nothing new.
MOVES = [VoteEvent.Action.CAST, VoteEvent.Action.CHANGE, VoteEvent.Action.CLEAR]


def _effects():
    """news's UpdateEffect rows, reached through the impact's foreign key.

    news sits above this app (it calls update_written by name), so it is
    never imported here.
    """
    return UpdateImpact._meta.get_field("effect").related_model.objects


def _published():
    """The status of a published update, as news names it."""
    return _effects().model._meta.get_field("update").related_model.Status.PUBLISHED


def _last_verdicts(events):
    """{fan pk: their last verdict, or "" after a clear} over these history rows, oldest first."""
    last = {}
    for user_id, verdict in events.order_by("created_at", "pk").values_list("user_id", "verdict"):
        last[user_id] = verdict
    return last


def _counts(verdicts):
    values = list(verdicts.values())
    return values.count(Verdict.JUSTIFIED), values.count(Verdict.OVERBLOWN)


def measure(effect):
    """The figures of UpdateImpact for this effect, from the vote history as it stands."""
    published = effect.update.published_at
    # A deleted fan's rows have lost their fan and cannot be told apart: they
    # leave these figures, as their votes left the tallies.
    history = VoteEvent.objects.filter(
        concern_id=effect.concern_id, action__in=MOVES, user__isnull=False
    )
    during = history.filter(created_at__gte=published, created_at__lt=published + WINDOW)
    before = _last_verdicts(
        history.filter(created_at__gte=published - WINDOW, created_at__lt=published)
    )
    after = _last_verdicts(during)
    # Only fans who acted after the update can have switched: their standing
    # vote is their last verdict before it, however long ago.
    standing = _last_verdicts(
        history.filter(user__in=during.values("user"), created_at__lt=published)
    )
    switched = [
        now for fan, now in after.items() if standing.get(fan) and now and now != standing[fan]
    ]
    before_justified, before_overblown = _counts(before)
    after_justified, after_overblown = _counts(after)
    return {
        "before_justified": before_justified,
        "before_overblown": before_overblown,
        "after_justified": after_justified,
        "after_overblown": after_overblown,
        "switched_to_justified": switched.count(Verdict.JUSTIFIED),
        "switched_to_overblown": switched.count(Verdict.OVERBLOWN),
    }


def refresh_impacts(effects, now=None):
    """Work out again the figures of these effects; return how many were written.

    Effects of updates that are not published (drafts) lose their figures:
    there is no moment to compare around.
    """
    now = now or timezone.now()
    written = 0
    for effect in effects:
        with transaction.atomic():
            if effect.update.status != _published() or effect.update.published_at is None:
                UpdateImpact.objects.filter(effect=effect).delete()
                continue
            UpdateImpact.objects.update_or_create(
                effect=effect, defaults={**measure(effect), "computed_at": now}
            )
            written += 1
    return written


@task()
def refresh_impacts_of(effect_ids):
    """The worker's side of refresh_impacts."""
    return refresh_impacts(_effects().filter(pk__in=effect_ids).select_related("update"))


def open_windows():
    """{concern pk: [effect pk, ...]} of effects whose update's window is open or to come.

    Kept per news version: any write to updates or effects replaces it. Read
    after a vote commits, in the vote's request or the worker, both on the
    primary: a copy kept here never comes from a lagging replica.
    """
    key = f"opinion:impact-windows:{timezone.localdate()}:{NEWS.current()}"
    windows = cache.get(key)
    if windows is None:
        now = timezone.now()
        rows = (
            _effects()
            .filter(
                update__status=_published(),
                update__published_at__gt=now - WINDOW,
                update__published_at__lt=now + WINDOW,
            )
            .values_list("concern_id", "pk")
        )
        windows = {}
        for concern_id, pk in rows:
            windows.setdefault(concern_id, []).append(pk)
        cache.set(key, windows, WINDOWS_SECONDS)
    return windows


def votes_landed(concern_id):
    """Ask for fresh figures on a concern that just got votes, at most once a minute.

    Called by cast_vote after it commits; the first vote of a minute queues
    the work, to run once the minute is over so it counts that minute's votes.
    """
    effect_ids = open_windows().get(concern_id)
    if not effect_ids or not cache.add(f"opinion:impact-due:{concern_id}", 1, REFRESH_SECONDS):
        return
    run_after = timezone.now() + datetime.timedelta(seconds=REFRESH_SECONDS)
    refresh_impacts_of.using(run_after=run_after).enqueue(effect_ids=effect_ids)


def update_written(effect_ids):
    """Queue fresh figures for these effects once their save commits."""
    effect_ids = list(effect_ids)
    if effect_ids:
        transaction.on_commit(lambda: refresh_impacts_of.enqueue(effect_ids=effect_ids))


def measure_update(update):
    """Queue fresh figures for every effect of an update published, moved, edited or taken back.

    news calls it by name wherever an update or its effects are written
    (news.publishing, the curators' admin, the seed and the demo).
    """
    update_written(update.effects.values_list("pk", flat=True))


def _measure_all_again():
    effect_ids = list(_effects().filter(update__status=_published()).values_list("pk", flat=True))
    if effect_ids:
        refresh_impacts_of.enqueue(effect_ids=effect_ids)


def past_votes_changed():
    """Past days' votes were rewritten (a replay, a removal, a repair, a fan leaving).

    What was summed from them, and every page showing it, is dropped (the
    history and content versions), and every update's figures are worked out
    again once this commits, closed windows too.
    """
    HISTORY.replace()
    CONTENT.replace()
    transaction.on_commit(_measure_all_again)


@task()
def refresh_open_impacts():
    """The daily run: refresh the effects of updates in their window, then queue tomorrow's."""
    since = timezone.now() - WINDOW - datetime.timedelta(days=1)
    effects = (
        _effects()
        .filter(update__status=_published(), update__published_at__gte=since)
        .select_related("update")
    )
    written = refresh_impacts(effects)
    again_tomorrow(refresh_open_impacts)
    return written
