"""Small helpers that make rows for tests."""

import itertools
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import ensure_role
from discussions.authoring import post_comment
from discussions.models import Article, Comment, Concern
from moderation.models import Suspension
from news.models import SeasonUpdate, UpdateEffect
from notifications.models import MailPreference
from opinion.impacts import measure_update
from opinion.voting import cast_vote

_seq = itertools.count(1)
PASSWORD = "zombie-proof-passphrase-42"


def make_user(username=None, **fields):
    """A fan who may take part: the email confirmation has its own tests (make_newcomer)."""
    username = username or f"fan{next(_seq)}"
    fields.setdefault("email_confirmation_required", False)
    return User.objects.create_user(username=username, password=PASSWORD, **fields)


def signup_form(username, **fields):
    """What a fan fills in at /accounts/signup/, every field as README names it."""
    return {
        "username": username,
        "email": f"{username}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "is_14_or_older": "on",
        **fields,
    }


def make_newcomer(username=None, email=None, **fields):
    """A fan just signed up: an address on record, not yet confirmed."""
    username = username or f"newcomer{next(_seq)}"
    email = email or f"{username}@example.com"
    fan = make_user(username, email=email, email_confirmation_required=True, **fields)
    EmailAddress.objects.create(user=fan, email=email, primary=True, verified=False)
    return fan


def make_staff(username=None, **fields):
    return make_user(username, is_staff=True, **fields)


def make_superuser(username=None):
    username = username or f"admin{next(_seq)}"
    return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)


def make_article(**fields):
    n = next(_seq)
    defaults = {"title": f"Article {n}", "slug": f"article-{n}", "summary": "Our summary."}
    return Article.objects.create(**{**defaults, **fields})


def make_concern(article=None, **fields):
    n = next(_seq)
    defaults = {
        "article": article or make_article(),
        "title": f"Fear {n}",
        "slug": f"fear-{n}",
        "description": "What fans worry about.",
        "position": n,
    }
    return Concern.objects.create(**{**defaults, **fields})


def make_comment(concern=None, author=None, parent=None, **fields):
    if parent is not None:
        concern = parent.concern
    defaults = {
        "concern": concern or make_concern(),
        "author": author or make_user(),
        "parent": parent,
        "body": f"Comment {next(_seq)}",
    }
    return Comment.objects.create(**{**defaults, **fields})


def make_update(effects=(), **fields):
    n = next(_seq)
    defaults = {
        "title": f"Update {n}",
        "slug": f"update-{n}",
        "summary": "What the news says.",
        "source_name": "Netflix",
        "status": SeasonUpdate.Status.PUBLISHED,
        "published_at": timezone.now() - timezone.timedelta(hours=1),
    }
    update = SeasonUpdate.objects.create(**{**defaults, **fields})
    for concern, effect in effects:
        UpdateEffect.objects.create(
            update=update, concern=concern, effect=effect, reason=f"Reason {n}"
        )
    # As a curator's save does: what it did to opinion is worked out.
    measure_update(update)
    return update


def with_confirmed_address(user):
    """Give the account a confirmed address, as a fan who followed the link has."""
    user.email = user.email or f"{user.username}@example.com"
    user.save(update_fields=["email"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def make_moderator(username=None):
    return _with_role(make_staff(username), "Moderators")


def make_curator(username=None):
    return _with_role(make_staff(username), "Curators")


def _with_role(user, group_name):
    # A transactional test's flush removes the groups the migration made.
    user.groups.add(ensure_role(group_name, Group, Permission))
    return user


def make_suspension(user, days=7, **fields):
    ends_at = None if days is None else timezone.now() + timezone.timedelta(days=days)
    return Suspension.objects.create(user=user, reason="Trolling", ends_at=ends_at, **fields)


def age_account(user, hours=48):
    """Make the account older than a day, as most fans' are."""
    user.date_joined = timezone.now() - timezone.timedelta(hours=hours)
    user.save(update_fields=["date_joined"])
    return user


def make_vote(concern, user=None, verdict="justified"):
    user = user or make_user()
    cast_vote(user, concern, verdict)
    return user


def count_queries(client, url):
    """Queries the page runs with nothing cached, then with its fragments cached."""
    cache.clear()
    counts = []
    for _ in ("cold", "warm"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def make_reader(username="cheongsan", language=None, **preference):
    """A fan with a confirmed address, and mail preferences when given."""
    fan = make_user(username, email=f"{username}@example.com")
    EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=True)
    if language or preference:
        MailPreference.objects.create(user=fan, language=language or "en", **preference)
    return fan


def make_reply_to(fan, concern, **fields):
    """Another fan's reply to a comment of fan's, posted (and notified) as the site does."""
    mine = make_comment(concern=concern, author=fan, body="Mine.")
    with mock.patch("django.db.transaction.on_commit", lambda fn, **kw: fn()):
        return post_comment(
            make_user(), concern, fields.pop("body", "An answer."), parent=mine, **fields
        )
