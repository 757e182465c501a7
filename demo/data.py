"""Demo data for trying the site locally: fans, months of votes, threads, news, moderation.

Every demo row is owned by an account or an update flagged `is_demo`, so
`remove_demo_data` finds them by that flag alone and never by a name: a real
fan's rows cannot match. What the demo says is in `demo.content`.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from accounts.roles import CURATORS, MODERATORS, ensure_role
from discussions.authoring import delete_comment, mark_helpful, post_comment
from discussions.models import Article, Comment, Concern, HelpfulMark
from moderation import decisions
from moderation.models import ModerationEvent, Report, Rule, Suspension
from news.models import Effect, SeasonUpdate, UpdateEffect, fill_slug
from news.publishing import publish_update
from notifications.models import Follow, Notification
from opinion.impacts import refresh_impacts
from opinion.models import IMPACT_WINDOW_DAYS, Verdict, Vote, VoteEvent
from opinion.tallies import forget_votes
from opinion.voting import CLEAR, cast_vote, replay_history

from .content import (
    CROWD,
    CURATOR,
    DEMO_SOURCE,
    FANS,
    KOREAN_REASONS,
    KOREAN_UPDATES,
    LEANING,
    MODERATOR,
    NEWS_PULL,
    SECOND_ARTICLE,
    SECOND_ARTICLE_CONCERNS,
    SPAMMER,
    THREADS,
    TROLL,
    UNDECIDED,
    UPDATES,
    USERNAMES,
)

# How far back the vote history reaches.
HISTORY_DAYS = 150
# Always the same crowd, so two demo databases tell the same story.
RANDOM_SEED = 2022


class DemoDataPresent(Exception):
    """Demo data is there already; adding it again would duplicate it."""


class DemoNameTaken(Exception):
    """A real account holds a name the demo needs."""


@dataclass
class DemoSummary:
    password: str
    fans: list
    moderator: str
    curator: str
    counts: dict = field(default_factory=dict)


def demo_data_present():
    return (
        User.objects.filter(is_demo=True, is_active=True).exists()
        or SeasonUpdate.objects.filter(is_demo=True).exists()
    )


@transaction.atomic
def create_demo_data(password, now=None):
    """Add the demo accounts and everything they did; refuse if demo data is present."""
    if demo_data_present():
        raise DemoDataPresent
    taken = list(
        User.objects.annotate(name=Lower("username"))
        .filter(is_demo=False, name__in=USERNAMES)
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoNameTaken(", ".join(sorted(taken)))
    now = now or timezone.now()
    rng = random.Random(RANDOM_SEED)
    concerns = {c.slug: c for c in Concern.objects.filter(slug__in=THREADS)}
    if len(concerns) < len(THREADS):
        raise LookupError("The seeded concerns are missing: run `manage.py seed` first.")
    users = _make_accounts(password, now, rng)
    updates = _make_updates(now, concerns)
    # Votes before comments: commenting follows a fear "now", voting back then.
    _write_vote_history(users, concerns, updates, now, rng)
    # A random stream of its own, so the seeded fears' story stays as it was.
    _add_second_article(users, updates, now, random.Random(RANDOM_SEED + 1))
    comments = _post_threads(users, concerns, now, rng)
    _moderate(users, comments)
    _vote_today(users, concerns, rng)
    # The seeded news too: the worker that would work it out may not be running.
    refresh_impacts(UpdateEffect.objects.select_related("update"))
    return DemoSummary(
        password=password,
        fans=FANS,
        moderator=MODERATOR,
        curator=CURATOR,
        counts={
            "accounts": len(users),
            "votes": Vote.objects.filter(user__is_demo=True).count(),
            "vote history entries": VoteEvent.objects.filter(user__is_demo=True).count(),
            "comments": Comment.objects.filter(author__is_demo=True).count(),
            "helpful marks": HelpfulMark.objects.filter(user__is_demo=True).count(),
            "Season 2 updates": len(updates),
            "moderation acts": ModerationEvent.objects.filter(
                Q(actor__is_demo=True) | Q(target_user__is_demo=True)
            ).count(),
        },
    )


def _make_accounts(password, now, rng):
    hashed = make_password(password)
    # A demo account kept by an earlier removal (a real reply hung below its
    # comment) is reused rather than duplicated.
    kept = {user.username.lower(): user for user in User.objects.filter(is_demo=True)}
    users, fresh = {}, []
    for name in USERNAMES:
        # Demo fans have no mailbox to confirm from, so they take part at once.
        user = kept.get(name) or User(
            username=name, is_demo=True, email_confirmation_required=False
        )
        # Months old, so no new-account limit applies and votes can predate them.
        user.date_joined = now - datetime.timedelta(days=HISTORY_DAYS + rng.randint(1, 60))
        user.password, user.is_active = hashed, True
        if user.pk:
            user.save(update_fields=["date_joined", "password", "is_active"])
        else:
            fresh.append(user)
        users[name] = user
    User.objects.bulk_create(fresh)
    for name, role in [(MODERATOR, MODERATORS), (CURATOR, CURATORS)]:
        users[name].groups.add(ensure_role(role, Group, Permission))
        users[name].is_staff = True
        users[name].save(update_fields=["is_staff"])
    return users


def _make_updates(now, concerns):
    made = []
    for days_ago, title, summary, spoiler, effects in UPDATES:
        title_ko, summary_ko = KOREAN_UPDATES.get(title, ("", ""))
        update = SeasonUpdate(
            title=title,
            summary=summary,
            title_ko=title_ko,
            summary_ko=summary_ko,
            source_name=DEMO_SOURCE,
            is_spoiler=spoiler,
            is_demo=True,
        )
        fill_slug(update, title)
        update.save()
        publish_update(update, at=now - datetime.timedelta(days=days_ago, hours=3))
        for slug, effect, reason in effects:
            UpdateEffect.objects.create(
                update=update,
                concern=concerns[slug],
                effect=effect,
                reason=reason,
                reason_ko=KOREAN_REASONS.get(reason, ""),
            )
        made.append(update)
    return made


def _add_second_article(users, updates, now, rng):
    """The demo's own article beside the seeded one, its fears, their news and votes.

    One kept by an earlier removal (real fans had voted on it) is used again.
    """
    fields = {k: v for k, v in SECOND_ARTICLE.items() if k != "slug"}
    article, _made = Article.objects.get_or_create(
        slug=SECOND_ARTICLE["slug"], defaults={**fields, "is_demo": True}
    )
    by_title = {update.title: update for update in updates}
    concerns = {}
    for position, data in enumerate(SECOND_ARTICLE_CONCERNS, start=1):
        fields = {k: v for k, v in data.items() if k not in {"slug", "effects"}}
        concern, _made = Concern.objects.get_or_create(
            slug=data["slug"], defaults={**fields, "article": article, "position": position}
        )
        concerns[concern.slug] = concern
        for title, effect, reason_en, reason_ko in data["effects"]:
            UpdateEffect.objects.create(
                update=by_title[title],
                concern=concern,
                effect=effect,
                reason_en=reason_en,
                reason_ko=reason_ko,
            )
    # What each update did is worked out once every vote is written (add_demo_data).
    _write_vote_history(users, concerns, updates, now, rng)


def _post_threads(users, concerns, now, rng):
    """Post every thread through the site's own operations, backdated."""
    keyed = {}
    latest = now - datetime.timedelta(minutes=5)

    def post(concern, data, parent, when):
        comment = post_comment(
            users[data["author"]],
            concern,
            data["body"],
            stance=data["stance"],
            is_spoiler=data["spoiler"],
            parent=parent,
            posted_at=when,
        )
        # The reply's notification is made once the demo commits; date it then.
        transaction.on_commit(
            partial(Notification.objects.filter(comment=comment).update, created_at=when)
        )
        for marker, marked_at in _helpful_marks(comment, data["marks"], users, rng, now):
            mark_helpful(marker, comment, marked_at=marked_at)
        if data["key"]:
            keyed[data["key"]] = comment
        for reply in data["replies"]:
            later = min(when + datetime.timedelta(hours=reply["after"]), latest)
            post(concern, reply, comment, later)

    for slug, threads in THREADS.items():
        for thread in threads:
            when = now - datetime.timedelta(days=thread["ago"], hours=rng.randint(0, 10))
            post(concerns[slug], thread, None, when)
    return keyed


def _helpful_marks(comment, count, users, rng, now):
    """Marks from other fans (never the author), in the days after the comment."""
    markers = [users[name] for name in rng.sample(CROWD + FANS, count + 1)]
    return [
        (user, min(comment.created_at + datetime.timedelta(hours=rng.uniform(1, 72)), now))
        for user in markers
        if user.pk != comment.author_id
    ][:count]


def _write_vote_history(users, concerns, updates, now, rng):
    """Months of votes, each at its own moment, written by opinion.voting.replay_history."""
    ballots = _ballots(users, concerns, updates, now, rng)
    replay_history({(user.pk, concern.pk): steps for (user, concern), steps in ballots.items()})


def _ballots(users, concerns, updates, now, rng):
    """Return each (fan, concern)'s steps: (moment, verdict or CLEAR), unordered."""
    start = now - datetime.timedelta(days=HISTORY_DAYS)
    newest = now - datetime.timedelta(hours=2)
    news = [
        (update.published_at, effect.concern_id, effect.effect)
        for update in updates
        for effect in update.effects.all()
        if effect.effect != Effect.UNCLEAR
    ]

    def leaning(concern, when):
        share = LEANING[concern.slug]
        for published, concern_id, effect in news:
            if concern_id == concern.pk and published <= when:
                share += NEWS_PULL if effect == Effect.CONFIRMS else -NEWS_PULL
        return share

    def verdict_for(concern, when):
        return Verdict.JUSTIFIED if rng.random() < leaning(concern, when) else Verdict.OVERBLOWN

    around = defaultdict(list)
    for update in updates:
        for effect in update.effects.all():
            around[effect.concern_id].append(update.published_at)

    def crowd_moment(concern):
        # News brings visitors: half the crowd's votes on a fear land in the
        # weeks either side of news about it, so each update's page has votes
        # to compare on both sides (opinion.impacts).
        if rng.random() < 0.5:
            published = rng.choice(around[concern.pk])
            window = datetime.timedelta(days=IMPACT_WINDOW_DAYS)
            # News of the last fortnight has only had the days since.
            return rng.uniform(published - window, min(published + window, newest))
        return start + (newest - start) * rng.random()

    steps = defaultdict(list)
    stances = _stances_taken()
    for name in FANS:
        for slug, concern in concerns.items():
            stance = stances.get((name, slug))
            if stance == UNDECIDED:
                continue
            # Early votes, so the news that followed asks them to reconsider.
            when = start + datetime.timedelta(days=rng.uniform(5, 45))
            verdict = stance or verdict_for(concern, when)
            steps[(users[name], concern)].append((when, verdict))
    for name in CROWD:
        for concern in concerns.values():
            if rng.random() < 0.85:
                when = crowd_moment(concern)
                steps[(users[name], concern)].append((when, verdict_for(concern, when)))
    # Some of the crowd change their minds after decisive news, a few clear.
    for published, concern_id, effect in news:
        towards = Verdict.JUSTIFIED if effect == Effect.CONFIRMS else Verdict.OVERBLOWN
        for (user, concern), ballot in steps.items():
            if user.username not in CROWD or concern.pk != concern_id:
                continue
            when, verdict = ballot[-1]
            if when < published and verdict != towards and rng.random() < 0.15:
                later = published + datetime.timedelta(days=rng.uniform(0.2, 10))
                ballot.append((min(later, newest), towards))
    crowd_ballots = [key for key in steps if key[0].username in CROWD]
    for key in rng.sample(crowd_ballots, 4):
        steps[key].append((min(steps[key][-1][0] + datetime.timedelta(days=2), newest), CLEAR))
    return steps


def _stances_taken():
    """Each named fan's first stance per concern, so their votes match what they wrote."""
    taken = {}

    def walk(slug, data):
        taken.setdefault((data["author"], slug), data["stance"])
        for reply in data["replies"]:
            walk(slug, reply)

    for slug, threads in THREADS.items():
        for thread in threads:
            walk(slug, thread)
    return taken


def _moderate(users, comments):
    """A few acts for the moderation log and the review queue, by the demo moderator."""
    moderator = users[MODERATOR]
    decisions.report_comment(comments["insult"], users["demo_minji"], Report.Reason.HARASSMENT)
    decisions.hide_comments([comments["insult"]], moderator, Rule.RESPECT, "Insulting other fans")
    decisions.suspend(
        users[TROLL],
        moderator,
        "Insulting other fans",
        ends_at=timezone.now() + datetime.timedelta(days=3),
    )
    spoiler = comments["unmarked_spoiler"]
    decisions.report_comment(spoiler, users["demo_dana"], Report.Reason.SPOILER)
    decisions.mark_as_spoiler([spoiler], moderator)
    for name in CROWD[: settings.MODERATION_AUTO_HIDE_REPORTS]:
        decisions.report_comment(comments["spam"], users[name], Report.Reason.SPAM)
    decisions.remove_as_spam(users[SPAMMER], moderator, "Advertising")
    # Left open, so the review queue has something waiting.
    decisions.report_comment(
        comments["rant"], users["demo_hana"], Report.Reason.HARASSMENT, "Mocking other fans"
    )


def _vote_today(users, concerns, rng):
    """A few votes now, through cast_vote itself."""
    for name in rng.sample(CROWD, 8):
        concern = rng.choice(list(concerns.values()))
        current = Vote.objects.filter(user=users[name], concern=concern).first()
        if current is None:
            verdict = rng.choice(Verdict.values)
        else:
            verdict = (
                Verdict.OVERBLOWN if current.verdict == Verdict.JUSTIFIED else Verdict.JUSTIFIED
            )
        cast_vote(users[name], concern, verdict)


@transaction.atomic
def remove_demo_data():
    """Delete every demo row, keeping the chart and tallies true to the real votes.

    Real rows are never deleted. The one exception to a clean sweep: a demo
    comment that a real fan's reply hangs below stays, withdrawn (shown as
    "[deleted]"), with its author deactivated, since comments are protected
    and the reply needs its thread.
    """
    demo_users = User.objects.filter(is_demo=True)
    counts = {}
    counts["moderation log entries"] = _delete(
        ModerationEvent.objects.filter(
            Q(actor__is_demo=True)
            | Q(actor__isnull=True, target_user__is_demo=True)
            | Q(actor__isnull=True, comment__author__is_demo=True)
        )
    )
    # Off the chart too, as if never cast, so real votes' shifts stay as written.
    counts["votes"] = forget_votes(demo_users)
    counts["helpful marks"] = _delete(HelpfulMark.objects.filter(user__in=demo_users))
    counts["reports"] = _delete(Report.objects.filter(reporter__in=demo_users))
    _delete(Suspension.objects.filter(user__in=demo_users))
    _delete(Follow.objects.filter(user__in=demo_users))
    _delete(Notification.objects.filter(recipient__in=demo_users))
    kept = _comments_real_replies_need()
    withdrawn = Comment.objects.filter(pk__in=kept, status__in=decisions.REMOVABLE)
    for comment in withdrawn.select_related("author"):
        delete_comment(comment.author, comment)
    counts["comments"] = _delete_comments(
        Comment.objects.filter(author__in=demo_users).exclude(pk__in=kept)
    )
    keep_authors = set(
        Comment.objects.filter(pk__in=kept).values_list("author", flat=True).distinct()
    )
    for user in demo_users.filter(pk__in=keep_authors):
        user.is_active, user.is_staff = False, False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "is_staff", "password"])
        user.groups.clear()
    counts["accounts"] = _delete(demo_users.exclude(pk__in=keep_authors))
    counts["Season 2 updates"] = _delete(SeasonUpdate.objects.filter(is_demo=True))
    counts["articles"] = _delete_demo_articles()
    counts["demo comments kept for real replies"] = len(kept)
    return counts


def _delete_demo_articles():
    """Delete the demo's articles with their fears, unless a real fan has acted on one.

    By now every demo vote, comment and follow is gone, so what is left on a
    demo fear is a real fan's: such a fear stays, and so does its article.
    """
    demo = Concern.objects.filter(article__is_demo=True)
    touched = demo.filter(
        Q(votes__isnull=False)
        | Q(vote_events__isnull=False)
        | Q(comments__isnull=False)
        | Q(follows__isnull=False)
    )
    kept_articles = touched.values("article")
    _delete(demo.exclude(article__in=kept_articles))
    return _delete(Article.objects.filter(is_demo=True).exclude(pk__in=kept_articles))


def _delete(queryset):
    _total, by_model = queryset.delete()
    return by_model.get(queryset.model._meta.label, 0)


def _comments_real_replies_need():
    """Return the demo comments that real fans' replies hang below (their ancestors)."""
    parents = dict(Comment.objects.filter(root__isnull=False).values_list("pk", "parent"))
    demo = set(Comment.objects.filter(author__is_demo=True).values_list("pk", flat=True))
    needed = set()
    real_replies = Comment.objects.filter(parent__author__is_demo=True).exclude(
        author__is_demo=True
    )
    real_replies = real_replies | Comment.objects.filter(root__author__is_demo=True).exclude(
        author__is_demo=True
    )
    for pk in real_replies.values_list("pk", flat=True):
        ancestor = parents.get(pk)
        while ancestor is not None:
            if ancestor in demo:
                needed.add(ancestor)
            ancestor = parents.get(ancestor)
    return needed


def _delete_comments(queryset):
    """Delete comments replies first: parents and thread roots are protected."""
    pks = set(queryset.values_list("pk", flat=True))
    deleted = 0
    while pks:
        busy = set(
            Comment.objects.filter(Q(parent__in=pks) | Q(root__in=pks)).values_list(
                "parent", "root"
            )
        )
        busy = {pk for pair in busy for pk in pair}
        leaves = pks - busy
        if not leaves:
            raise RuntimeError("Demo comments could not be ordered for deletion.")
        deleted += _delete(Comment.objects.filter(pk__in=leaves))
        pks -= leaves
    return deleted
