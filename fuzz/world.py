"""The rows the fuzzer attacks: a small site in every state a page can show.

Built with the test factories, with fixed names, so that after a flush (which
also restarts the id sequences) the same seed meets the same ids again.
"""

from dataclasses import dataclass, field

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from discussions.authoring import delete_comment, edit_comment, mark_helpful
from moderation import decisions
from moderation.models import Rule
from news.models import UpdateEffect
from notifications.delivery import follow_concern, notify_reply
from notifications.mail import unsubscribe_token
from notifications.models import Notification
from opinion.voting import keep_vote
from privacy.deletion import delete_account
from tests.factories import (
    age_account,
    make_article,
    make_comment,
    make_concern,
    make_curator,
    make_moderator,
    make_suspension,
    make_update,
    make_user,
    make_vote,
)

ROLES = ("anonymous", "fan", "suspended", "moderator", "curator", "superuser")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    slugs: dict = field(default_factory=dict)
    pks: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)


def reset_database():
    """Empty every table and restart the id sequences, as a fresh site would be."""
    call_command("flush", interactive=False, verbosity=0)


def build():
    """Make the rows and return the names and ids the targets need."""
    world = World()
    fan = age_account(make_user("fuzz_fan", email="fan@example.com"))
    other = age_account(make_user("fuzz_other"))
    newbie = make_user("fuzz_newbie")
    suspended = age_account(make_user("fuzz_suspended"))
    moderator = make_moderator("fuzz_moderator")
    curator = make_curator("fuzz_curator")
    superuser = get_user_model().objects.create_superuser(
        "fuzz_admin", "admin@example.com", "zombie-proof-passphrase-42"
    )
    world.users = {
        "fan": fan,
        "suspended": suspended,
        "moderator": moderator,
        "curator": curator,
        "superuser": superuser,
        "other": other,
        "newbie": newbie,
    }

    article = make_article(title="Season 2 fears", slug="season-2-fears")
    make_article(title="An older piece", slug="older-piece")
    open_fear = make_concern(article, title="Conventional action", slug="conventional-action")
    blind = make_concern(
        article, title="Hidden tally", slug="hidden-tally", results_hidden_until_vote=True
    )
    quiet = make_concern(article, title="No votes yet", slug="no-votes-yet")

    for n in range(12):
        voter = make_user(f"fuzz_voter{n}")
        make_vote(open_fear, voter, "justified" if n % 3 else "overblown")
        make_vote(blind, voter, "overblown" if n % 2 else "justified")
    make_vote(open_fear, fan, "justified")
    make_vote(blind, other, "overblown")

    published = make_update(
        effects=[(open_fear, UpdateEffect.Effect.CONFIRMS), (blind, UpdateEffect.Effect.EASES)],
        title="Filming wraps",
        slug="filming-wraps",
    )
    make_update(title="Draft news", slug="draft-news", status="draft", published_at=None)
    make_update(
        effects=[(quiet, UpdateEffect.Effect.UNCLEAR)],
        title="Scheduled news",
        slug="scheduled-news",
        published_at=timezone.now() + timezone.timedelta(days=3),
    )
    make_update(title="Spoiler news", slug="spoiler-news", is_spoiler=True)

    own = make_comment(open_fear, fan, body="My own argument", stance="justified")
    edited = make_comment(open_fear, fan, body="First words")
    edit_comment(fan, edited, body="Second words", is_spoiler=True, stance="overblown")
    theirs = make_comment(open_fear, other, body="Their argument", stance="overblown")
    reply = make_comment(author=fan, parent=theirs, body="A reply to them")
    notify_reply(reply)
    answer = make_comment(author=other, parent=own, body="An answer to the fan")
    notify_reply(answer)
    make_comment(author=newbie, parent=answer, body="A reply two deep")
    spoiler = make_comment(blind, other, body="It all ends badly", is_spoiler=True)
    hidden = make_comment(open_fear, other, body="Rude words")
    decisions.hide_comments([hidden], moderator, Rule.RESPECT, "Rude")
    with_reply = make_comment(open_fear, other, body="Deleted later")
    make_comment(author=fan, parent=with_reply, body="Reply under a deleted one")
    delete_comment(other, with_reply)
    held = make_comment(quiet, newbie, body="Reported to pieces")
    reasons = ["spam", "harassment", "other", "off_topic"]
    for n in range(settings.MODERATION_AUTO_HIDE_REPORTS):
        reason = reasons[n % len(reasons)]
        decisions.report_comment(held, make_user(f"fuzz_reporter{n}"), reason, note="Look")
    decisions.report_comment(theirs, fan, "off_topic")
    # A fan who deleted their account: comments without an author, an erased
    # one, history without a fan and a report without a reporter.
    gone = age_account(make_user("fuzz_gone"))
    make_vote(open_fear, gone, "overblown")
    authorless = make_comment(open_fear, gone, body="Said before leaving", stance="overblown")
    make_comment(author=other, parent=authorless, body="An answer to someone gone")
    make_comment(blind, gone, body="Nobody answered this")
    decisions.report_comment(theirs, gone, "spam")
    delete_account(gone)
    mark_helpful(fan, theirs)
    mark_helpful(other, own)
    decisions.mark_as_spoiler([spoiler], moderator)

    make_suspension(suspended, days=7)
    lifted = make_suspension(other, days=None)
    decisions.lift_suspension(lifted, moderator)
    decisions.suspend(newbie, moderator, "Flooding", timezone.now() + timezone.timedelta(days=1))
    decisions.lift_suspension(newbie.suspensions.get(), moderator)

    follow_concern(fan, open_fear)
    follow_concern(fan, blind)
    keep_vote(fan, open_fear)
    notification = Notification.objects.filter(recipient=fan).first()

    # A confirmation link and a password-reset link as mail would carry them.
    address = EmailAddress.objects.create(user=fan, email=fan.email, primary=True)
    world.keys = {
        "confirm-email": [EmailConfirmationHMAC(address).key, "not-a-key"],
        "password-reset": [
            f"{user_pk_to_url_str(fan)}-{default_token_generator.make_token(fan)}",
            "zz-not-a-token",
        ],
        "unsubscribe": [unsubscribe_token(fan, ["reply", "update"]), "not-a-token"],
    }

    world.slugs = {
        "article": article.slug,
        "concern": open_fear.slug,
        "blind": blind.slug,
        "quiet": quiet.slug,
        "update": published.slug,
        "draft": "draft-news",
        "scheduled": "scheduled-news",
    }
    world.pks = {
        "own": own.pk,
        "edited": edited.pk,
        "theirs": theirs.pk,
        "reply": reply.pk,
        "hidden": hidden.pk,
        "deleted": with_reply.pk,
        "held": held.pk,
        "authorless": authorless.pk,
        "notification": notification.pk if notification else 1,
    }
    return world
