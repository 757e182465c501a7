"""Mail and notifications carry only what a page would show the fan when they go (issue 23)."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from discussions.authoring import delete_comment, post_comment
from moderation import decisions
from moderation.models import Rule
from news.publishing import publish_update, unpublish_update
from notifications.delivery import deliver_update_notifications, follow_concern
from notifications.models import MailFrequency, Notification
from notifications.tasks import send_digests
from privacy.deletion import delete_account
from tests.factories import (
    age_account,
    make_moderator,
    make_reader,
    make_reply_to,
    make_update,
    make_user,
)
from tests.mailbox import SEND, outbox, run_worker, time_passes

on_commit_now = mock.patch("django.db.transaction.on_commit", lambda fn, **kw: fn())


def hide(comment):
    decisions.hide_comments([comment], make_moderator(), Rule.HARASSMENT)


def hold(comment, settings):
    """Report the comment by as many established fans as it takes to hold it for review."""
    for _ in range(settings.MODERATION_AUTO_HIDE_REPORTS):
        decisions.report_comment(comment, age_account(make_user(), hours=24 * 30), "harassment")


def mention(fan, concern, author, body=None):
    with on_commit_now:
        return post_comment(author, concern, body or f"@{fan.username} look")


def news_for(fan, concern, **fields):
    """An update on a fear the fan follows, published, and already in their notifications."""
    follow_concern(fan, concern)
    update = make_update(
        effects=[(concern, "confirms")], status="draft", published_at=None, **fields
    )
    publish_update(update)
    deliver_update_notifications(fan)
    return update


def mailed_text():
    return " ".join(message.body for message in outbox())


# --- a reply hidden after it was written ---------------------------------------------------


@pytest.mark.django_db
def test_a_reply_hidden_by_a_moderator_is_left_out_of_the_digest(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    hide(make_reply_to(fan, concern, body="Something vile."))
    send_digests.call()
    assert "Something vile." not in mailed_text()


@pytest.mark.django_db
def test_a_reply_hidden_by_a_moderator_is_marked_withheld_not_mailed(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    hide(make_reply_to(fan, concern))
    send_digests.call()
    (notification,) = Notification.objects.filter(recipient=fan)
    assert notification.withheld_at is not None
    assert notification.mailed_at is None


@pytest.mark.django_db
def test_a_withheld_reply_restored_later_is_still_not_mailed(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    reply = make_reply_to(fan, concern, body="Back again.")
    hide(reply)
    send_digests.call()
    decisions.restore_comments([reply], make_moderator())
    send_digests.call()
    assert "Back again." not in mailed_text()


@pytest.mark.django_db
def test_the_rest_of_the_digest_still_goes_without_the_hidden_reply(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    hide(make_reply_to(fan, concern, body="Something vile."))
    make_reply_to(fan, concern, body="A fair point.")
    send_digests.call()
    (message,) = outbox()
    assert "A fair point." in message.body
    assert "Something vile." not in message.body


@pytest.mark.django_db
def test_a_reply_held_for_review_by_reports_is_left_out_of_the_digest(concern, settings):
    fan = make_reader(replies=MailFrequency.DIGEST)
    hold(make_reply_to(fan, concern, body="Something vile."), settings)
    send_digests.call()
    assert "Something vile." not in mailed_text()


@pytest.mark.django_db
def test_a_reply_hidden_before_its_mail_at_once_goes_is_not_mailed(concern):
    fan = make_reader()
    hide(make_reply_to(fan, concern, body="Something vile."))
    assert "Something vile." not in mailed_text()


@pytest.mark.django_db
def test_a_hidden_reply_is_gone_from_the_notifications_page(client, concern):
    fan = make_reader()
    reply = make_reply_to(fan, concern)
    hide(reply)
    client.force_login(fan)
    assert "replied to your comment" not in client.get("/notifications/").text


@pytest.mark.django_db
def test_the_unread_badge_does_not_count_a_hidden_reply(client, concern):
    fan = make_reader()
    hide(make_reply_to(fan, concern))
    client.force_login(fan)
    assert client.get("/").context["unread_notifications"] == 0


@pytest.mark.django_db
def test_a_hidden_reply_shows_again_once_restored(client, concern):
    fan = make_reader()
    reply = make_reply_to(fan, concern)
    hide(reply)
    decisions.restore_comments([reply], make_moderator())
    client.force_login(fan)
    assert "replied to your comment" in client.get("/notifications/").text


@pytest.mark.django_db
def test_the_author_still_hears_of_the_decision_on_their_hidden_comment(client, concern):
    reply = make_reply_to(make_reader(), concern)
    hide(reply)
    client.force_login(reply.author)
    assert client.get("/").context["unread_notifications"] == 1


# --- a mention whose comment, or author, is gone ------------------------------------------


@pytest.mark.django_db
def test_a_mention_whose_comment_its_author_deleted_is_not_mailed(concern):
    fan, author = make_reader(), make_user("troll")
    comment = mention(fan, concern, author, "@cheongsan you will regret this")
    delete_comment(author, comment)
    assert outbox() == []


@pytest.mark.django_db
def test_a_mention_whose_comment_was_deleted_is_marked_withheld(concern):
    fan, author = make_reader(), make_user("troll")
    delete_comment(author, mention(fan, concern, author))
    run_worker()
    (notification,) = Notification.objects.filter(recipient=fan)
    assert notification.withheld_at is not None


@pytest.mark.django_db
def test_a_mention_whose_author_deleted_their_account_is_not_mailed(concern):
    fan, author = make_reader(), make_user("troll")
    mention(fan, concern, author, "@cheongsan you will regret this")
    delete_account(author)
    assert outbox() == []


@pytest.mark.django_db
def test_a_reply_whose_author_deleted_their_account_is_left_out_of_the_digest(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    reply = make_reply_to(fan, concern, body="Kept below the thread.")
    delete_account(reply.author)
    send_digests.call()
    assert "Kept below the thread." not in mailed_text()


# --- mail already written, sent later -------------------------------------------------------


@pytest.mark.django_db
def test_a_reply_hidden_while_its_mail_waits_for_a_retry_is_not_sent(concern):
    fan = make_reader()
    reply = make_reply_to(fan, concern, body="Something vile.")
    with mock.patch(SEND, side_effect=ConnectionRefusedError):
        run_worker()
    hide(reply)
    time_passes()
    assert outbox() == []


@pytest.mark.django_db
def test_a_digest_retried_after_a_reply_is_hidden_goes_without_it(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    vile = make_reply_to(fan, concern, body="Something vile.")
    make_reply_to(fan, concern, body="A fair point.")
    send_digests.call()
    with mock.patch(SEND, side_effect=ConnectionRefusedError):
        run_worker()
    hide(vile)
    time_passes()
    (message,) = outbox()
    assert "A fair point." in message.body
    assert "Something vile." not in message.body


@pytest.mark.django_db
def test_a_retry_goes_only_to_an_address_still_confirmed(concern):
    fan = make_reader()
    make_reply_to(fan, concern)
    with mock.patch(SEND, side_effect=ConnectionRefusedError):
        run_worker()
    fan.emailaddress_set.update(verified=False)
    time_passes()
    assert outbox() == []


# --- news taken back ------------------------------------------------------------------------


@pytest.mark.django_db
def test_news_put_back_to_draft_is_left_out_of_the_digest(concern):
    fan = make_reader()
    update = news_for(fan, concern, summary="Filming stopped.")
    unpublish_update(update)
    send_digests.call()
    assert "Filming stopped." not in mailed_text()


@pytest.mark.django_db
def test_news_put_back_to_draft_is_gone_from_the_notifications_page(client, concern):
    fan = make_reader()
    update = news_for(fan, concern, title="Filming stopped")
    unpublish_update(update)
    client.force_login(fan)
    assert "Filming stopped" not in client.get("/notifications/").text


@pytest.mark.django_db
def test_the_unread_badge_does_not_count_news_put_back_to_draft(client, concern):
    fan = make_reader()
    unpublish_update(news_for(fan, concern))
    client.force_login(fan)
    assert client.get("/").context["unread_notifications"] == 0


@pytest.mark.django_db
def test_news_put_back_to_draft_cannot_be_opened_from_its_notification(client, concern):
    fan = make_reader()
    unpublish_update(news_for(fan, concern))
    (notification,) = Notification.objects.filter(recipient=fan)
    client.force_login(fan)
    assert client.post(notification.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_news_put_back_to_draft_is_not_marked_read_by_mark_all_read(client, concern):
    fan = make_reader()
    unpublish_update(news_for(fan, concern))
    client.force_login(fan)
    client.post("/notifications/read-all/")
    assert Notification.objects.get(recipient=fan).read_at is None


@pytest.mark.django_db
def test_news_moved_to_a_later_time_is_not_mailed_before_then(concern):
    fan = make_reader()
    update = news_for(fan, concern, summary="Filming stopped.")
    publish_update(update, at=timezone.now() + datetime.timedelta(days=2))
    send_digests.call()
    assert "Filming stopped." not in mailed_text()


@pytest.mark.django_db
def test_news_moved_to_a_later_time_waits_unmarked_for_it(concern):
    fan = make_reader()
    update = news_for(fan, concern)
    publish_update(update, at=timezone.now() + datetime.timedelta(days=2))
    send_digests.call()
    notification = Notification.objects.get(recipient=fan)
    assert (notification.mailed_at, notification.withheld_at) == (None, None)


@pytest.mark.django_db
def test_news_moved_to_a_later_time_is_in_the_first_digest_after_it_is_public(concern):
    fan = make_reader()
    update = news_for(fan, concern, summary="Filming stopped.")
    later = timezone.now() + datetime.timedelta(days=2)
    publish_update(update, at=later)
    send_digests.call()
    with mock.patch("django.utils.timezone.now", return_value=later + datetime.timedelta(hours=1)):
        send_digests.call()
        (message,) = outbox()
    assert "Filming stopped." in message.body


@pytest.mark.django_db
def test_news_taken_back_after_its_mail_was_written_is_not_sent(concern):
    fan = make_reader()
    update = news_for(fan, concern, summary="Filming stopped.")
    send_digests.call()
    unpublish_update(update)
    assert outbox() == []
