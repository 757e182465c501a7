"""Each domain operation called directly, as the admin, commands and the demo call it.

Every refusal writes nothing; the views' answers to them are tested elsewhere.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.limits import RateLimited
from accounts.models import Suspended
from discussions.authoring import (
    Gone,
    Locked,
    NotYours,
    OwnComment,
    Refused,
    delete_comment,
    edit_comment,
    mark_helpful,
    post_comment,
    toggle_helpful,
)
from discussions.models import Comment, CommentRevision, CommentStatus, HelpfulMark, Stance
from notifications.models import Follow, Notification
from opinion.models import DailyShift, Verdict, Vote, VoteEvent
from opinion.voting import CLEAR, Outcome, cast_vote, keep_vote
from tests.factories import age_account, make_comment, make_concern, make_suspension, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def veteran(fan):
    return age_account(fan)


def nothing_voted():
    return not (Vote.objects.exists() or VoteEvent.objects.exists() or DailyShift.objects.exists())


# cast_vote


def test_cast_vote_writes_the_vote_its_history_and_the_days_shift(fan, concern):
    assert cast_vote(fan, concern, Verdict.JUSTIFIED) == Outcome.CAST
    assert Vote.objects.get().verdict == Verdict.JUSTIFIED
    assert VoteEvent.objects.get().action == VoteEvent.Action.CAST
    assert DailyShift.objects.get().justified_change == 1
    assert Follow.objects.filter(user=fan, concern=concern).exists()


def test_cast_vote_refuses_a_suspended_fan(fan, concern):
    make_suspension(fan)
    with pytest.raises(Suspended):
        cast_vote(fan, concern, Verdict.JUSTIFIED)
    assert nothing_voted()


def test_cast_vote_refuses_past_the_limit_and_writes_nothing(fan, concern):
    for verdict in [Verdict.JUSTIFIED, Verdict.OVERBLOWN] * 15:
        cast_vote(fan, concern, verdict)
    with pytest.raises(RateLimited) as refused:
        cast_vote(fan, concern, Verdict.JUSTIFIED)
    assert refused.value.wait >= 1
    assert "voting very fast" in refused.value.message
    assert Vote.objects.get().verdict == Verdict.OVERBLOWN
    assert VoteEvent.objects.count() == 30


def test_a_suspended_fans_refused_votes_use_up_no_allowance(fan, concern):
    suspension = make_suspension(fan)
    for _ in range(30):
        with pytest.raises(Suspended):
            cast_vote(fan, concern, Verdict.JUSTIFIED)
    suspension.delete()
    assert cast_vote(fan, concern, Verdict.JUSTIFIED) == Outcome.CAST


def test_cast_vote_refuses_an_unknown_verdict(fan, concern):
    with pytest.raises(ValueError):
        cast_vote(fan, concern, "furious")
    assert nothing_voted()


def test_clearing_without_a_vote_writes_nothing(fan, concern):
    assert cast_vote(fan, concern, CLEAR) == Outcome.NOTHING_TO_CLEAR
    assert nothing_voted()


# keep_vote


def test_keep_vote_records_a_reconfirmation(fan, concern):
    cast_vote(fan, concern, Verdict.OVERBLOWN)
    assert keep_vote(fan, concern) == Outcome.KEPT
    assert VoteEvent.objects.filter(action=VoteEvent.Action.RECONFIRM).count() == 1


def test_keep_vote_without_a_vote_is_none(fan, concern):
    assert keep_vote(fan, concern) is None
    assert not VoteEvent.objects.exists()


def test_keep_vote_refuses_a_suspended_fan(fan, concern):
    cast_vote(fan, concern, Verdict.OVERBLOWN)
    make_suspension(fan)
    with pytest.raises(Suspended):
        keep_vote(fan, concern)
    assert not VoteEvent.objects.filter(action=VoteEvent.Action.RECONFIRM).exists()


# post_comment


def test_post_comment_takes_plain_values_and_follows(fan, concern):
    comment = post_comment(fan, concern, "A plain take")
    assert (comment.body, comment.stance, comment.is_spoiler) == (
        "A plain take",
        Stance.UNDECIDED,
        False,
    )
    assert (comment.author, comment.concern, comment.parent) == (fan, concern, None)
    assert Follow.objects.filter(user=fan, concern=concern).exists()


def test_reply_notifies_after_commit(fan, concern, django_capture_on_commit_callbacks):
    other = make_user()
    parent = make_comment(concern, author=other)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = post_comment(fan, concern, "Answer", stance=Stance.OVERBLOWN, parent=parent)
        assert not Notification.objects.exists()
    assert (reply.parent, reply.root) == (parent, parent)
    for callback in callbacks:
        callback()
    assert Notification.objects.get().recipient == other


def test_reply_rolled_back_notifies_nobody(fan, concern, django_capture_on_commit_callbacks):
    parent = make_comment(concern, author=make_user())
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        post_comment(fan, concern, "Answer", parent=parent)
        raise RuntimeError("the caller gave up")
    assert not Notification.objects.exists()
    assert Comment.objects.count() == 1


def test_post_comment_refuses_a_suspended_fan(fan, concern):
    make_suspension(fan)
    with pytest.raises(Suspended):
        post_comment(fan, concern, "Let me in")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "status", [CommentStatus.HIDDEN, CommentStatus.HELD, CommentStatus.DELETED]
)
def test_reply_to_a_comment_no_longer_visible_is_refused(fan, concern, status):
    # The parent as the form saw it, visible; the row changed since.
    parent = make_comment(concern)
    Comment.objects.filter(pk=parent.pk).update(status=status)
    with pytest.raises(Gone):
        post_comment(fan, concern, "Too late", parent=parent)
    assert Comment.objects.count() == 1


def test_reply_on_another_concern_is_refused(fan, concern):
    elsewhere = make_comment(make_concern())
    with pytest.raises(Refused, match="same concern"):
        post_comment(fan, concern, "Wrong place", parent=elsewhere)
    assert Comment.objects.count() == 1


def test_post_comment_refuses_an_unknown_stance(fan, concern):
    with pytest.raises(ValueError):
        post_comment(fan, concern, "Hm", stance="furious")
    assert not Comment.objects.exists()


def test_second_comment_too_soon_is_rate_limited(veteran, concern):
    post_comment(veteran, concern, "First")
    with pytest.raises(RateLimited) as refused:
        post_comment(veteran, concern, "Second")
    assert 1 <= refused.value.wait <= 10
    assert "Please leave a little time between comments." in refused.value.message
    assert Comment.objects.count() == 1


def test_same_text_again_is_refused_before_the_speed_counter(veteran, concern, clock):
    post_comment(veteran, concern, "Said once")
    clock.advance(11)
    with pytest.raises(RateLimited) as refused:
        post_comment(veteran, concern, "Said once")
    assert "same text" in refused.value.reason
    assert 280 <= refused.value.wait <= 301
    # The refused repeat used up nothing: a fresh text goes through at once.
    post_comment(veteran, concern, "Something new")
    assert Comment.objects.count() == 2


def test_first_day_cap_is_checked_before_the_speed_counter(fan, concern):
    earlier = [make_comment(concern, author=fan, body=f"Earlier {i}") for i in range(10)]
    with pytest.raises(RateLimited) as refused:
        post_comment(fan, concern, "Eleventh")
    assert "first day" in refused.value.reason
    assert refused.value.wait > 23 * 3600
    earlier[0].delete()
    # Refused by the cap, the attempt did not count against the 30 s limit.
    post_comment(fan, concern, "Tenth after all")
    assert Comment.objects.count() == 10


def test_replayed_comment_is_dated_and_not_limited(veteran, concern):
    when = timezone.now() - datetime.timedelta(days=30)
    first = post_comment(veteran, concern, "Back then", posted_at=when)
    post_comment(veteran, concern, "Right after", posted_at=when + datetime.timedelta(seconds=1))
    assert first.created_at == when
    assert Comment.objects.count() == 2


# edit_comment


def test_edit_comment_keeps_the_earlier_version(fan, concern):
    comment = make_comment(concern, author=fan, body="v1", stance=Stance.JUSTIFIED)
    edited = edit_comment(fan, comment, body="v2", is_spoiler=True, stance=Stance.OVERBLOWN)
    assert (edited.body, edited.is_spoiler, edited.stance) == ("v2", True, Stance.OVERBLOWN)
    assert edited.edited_at is not None
    assert CommentRevision.objects.get().body == "v1"


def test_edit_without_changes_keeps_no_version(fan, concern):
    comment = make_comment(concern, author=fan, body="Same")
    edit_comment(fan, comment, body="Same", is_spoiler=False, stance=comment.stance)
    assert not CommentRevision.objects.exists()


def test_edit_comment_refuses_another_fan(fan, concern):
    comment = make_comment(concern, author=make_user(), body="Theirs")
    with pytest.raises(NotYours):
        edit_comment(fan, comment, body="Mine now", is_spoiler=False, stance=Stance.UNDECIDED)
    comment.refresh_from_db()
    assert comment.body == "Theirs"


def test_edit_comment_refuses_a_suspended_author(fan, concern):
    comment = make_comment(concern, author=fan, body="Before")
    make_suspension(fan)
    with pytest.raises(Suspended):
        edit_comment(fan, comment, body="After", is_spoiler=False, stance=Stance.UNDECIDED)
    comment.refresh_from_db()
    assert comment.body == "Before"


def test_edit_after_the_window_is_locked(fan, concern):
    comment = make_comment(
        concern, author=fan, body="Old", created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    with pytest.raises(Locked):
        edit_comment(fan, comment, body="New", is_spoiler=False, stance=Stance.UNDECIDED)
    assert not CommentRevision.objects.exists()


def test_edit_of_a_comment_hidden_meanwhile_is_locked(fan, concern):
    # The race: the author opened the form while the comment was visible, and a
    # moderator hid it before the edit was saved. The edit reads the row again.
    comment = make_comment(concern, author=fan, body="Rude words")
    Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.HIDDEN)
    assert comment.is_visible
    with pytest.raises(Locked):
        edit_comment(fan, comment, body="Nice words", is_spoiler=False, stance=Stance.UNDECIDED)
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Rude words", CommentStatus.HIDDEN)
    assert not CommentRevision.objects.exists()


# delete_comment


def test_delete_comment_withdraws_it_and_keeps_the_row(fan, concern):
    comment = make_comment(concern, author=fan, body="Regret")
    deleted = delete_comment(fan, comment)
    assert (deleted.status, deleted.body) == (CommentStatus.DELETED, "Regret")
    assert Comment.objects.get().status == CommentStatus.DELETED


def test_delete_comment_refuses_another_fan(fan, concern):
    comment = make_comment(concern, author=make_user())
    with pytest.raises(NotYours):
        delete_comment(fan, comment)
    assert Comment.objects.get().status == CommentStatus.VISIBLE


@pytest.mark.parametrize("status", [CommentStatus.DELETED, CommentStatus.HIDDEN])
def test_delete_of_a_comment_already_gone_is_refused(fan, concern, status):
    comment = make_comment(concern, author=fan)
    Comment.objects.filter(pk=comment.pk).update(status=status)
    with pytest.raises(Gone):
        delete_comment(fan, comment)
    assert Comment.objects.get().status == status


def test_a_suspended_fan_may_still_delete_their_comment(fan, concern):
    comment = make_comment(concern, author=fan)
    make_suspension(fan)
    assert delete_comment(fan, comment).status == CommentStatus.DELETED


# toggle_helpful and mark_helpful


def test_toggle_helpful_marks_then_takes_the_mark_back(fan, concern):
    comment = make_comment(concern)
    assert toggle_helpful(fan, comment) is True
    assert HelpfulMark.objects.filter(user=fan, comment=comment).exists()
    assert toggle_helpful(fan, comment) is False
    assert not HelpfulMark.objects.exists()


def test_own_comment_cannot_be_marked(fan, concern):
    own = make_comment(concern, author=fan)
    with pytest.raises(OwnComment):
        toggle_helpful(fan, own)
    with pytest.raises(OwnComment):
        mark_helpful(fan, own)
    assert not HelpfulMark.objects.exists()


def test_comment_hidden_meanwhile_cannot_be_marked(fan, concern):
    comment = make_comment(concern)
    Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.HIDDEN)
    with pytest.raises(Gone):
        toggle_helpful(fan, comment)
    assert not HelpfulMark.objects.exists()


def test_suspended_fan_cannot_mark(fan, concern):
    make_suspension(fan)
    with pytest.raises(Suspended):
        toggle_helpful(fan, make_comment(concern))
    assert not HelpfulMark.objects.exists()


def test_mark_helpful_is_once_and_can_be_backdated(fan, concern):
    comment = make_comment(concern)
    when = timezone.now() - datetime.timedelta(days=3)
    assert mark_helpful(fan, comment, marked_at=when) is True
    assert mark_helpful(fan, comment) is False
    assert HelpfulMark.objects.get().created_at == when
