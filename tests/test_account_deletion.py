"""A fan deletes their account: what goes, what stays without their name, and the chart."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from discussions.authoring import edit_comment, mark_helpful, post_comment
from discussions.models import Comment, CommentRevision, HelpfulMark
from moderation import decisions
from moderation.models import Report, ReviewRequest, Rule
from notifications.delivery import follow_concern, notify_reply
from notifications.models import Follow, Notification
from opinion import tallies
from opinion.models import DailyShift, VoteEvent
from opinion.voting import cast_vote
from outbox.mail import QueuedMail
from privacy.deletion import LastSuperuser, delete_account
from tests.factories import (
    PASSWORD,
    make_comment,
    make_moderator,
    make_superuser,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db

URL = "/accounts/delete/"


def outbox_addresses():
    return [
        (args_kwargs["args"][0]["to"],)
        for args_kwargs in DBTaskResult.objects.values_list("args_kwargs", flat=True)
    ]


def confirm(client, password=PASSWORD):
    return client.post(URL, {"password": password})


def vote_on(day, user, concern, verdict):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        cast_vote(user, concern, verdict)


def shifts(concern):
    rows = DailyShift.objects.filter(concern=concern).per_day()
    return {day: (justified, overblown) for _, day, justified, overblown in rows}


# --- the page ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(URL, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_page_says_what_happens_and_asks_for_the_password(fan_client):
    html = fan_client.get(URL).text
    assert "[deleted account]" in html
    assert 'name="password"' in html
    assert f'action="{URL}"' in html


def test_the_account_pages_link_to_it(fan_client):
    assert f'href="{URL}"' in fan_client.get("/accounts/export/").text
    assert f'href="{URL}"' in fan_client.get("/accounts/email/").text


def test_a_wrong_password_deletes_nothing(fan_client, fan):
    response = confirm(fan_client, "not-my-password")
    assert response.status_code == 200
    assert "That is not your password" in response.text
    assert User.objects.filter(pk=fan.pk).exists()
    assert fan_client.get(URL).status_code == 200


def test_the_fifth_wrong_password_locks_out_as_a_log_in_would(fan_client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert confirm(fan_client, "guess").status_code == 200
    assert confirm(fan_client, "guess").status_code == 429
    assert confirm(fan_client).status_code == 429


def test_the_right_password_deletes_the_account_and_logs_out(fan_client, fan):
    response = fan_client.post(URL, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Your account has been deleted." in response.text
    assert not User.objects.filter(pk=fan.pk).exists()
    assert not response.context["user"].is_authenticated


def test_the_fans_other_sessions_end_with_the_account(fan_client, fan):
    elsewhere = Client()
    elsewhere.force_login(fan)
    confirm(fan_client)
    response = elsewhere.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_last_superuser_is_refused(client):
    admin = make_superuser("last_admin")
    client.force_login(admin)
    response = confirm(client)
    assert response.status_code == 200
    assert "only active superuser" in response.text
    assert User.objects.filter(pk=admin.pk).exists()


def test_a_superuser_may_go_while_another_stays(client):
    leaving = make_superuser("leaving_admin")
    make_superuser("staying_admin")
    client.force_login(leaving)
    assert confirm(client).status_code == 302
    assert not User.objects.filter(pk=leaving.pk).exists()


# --- comments ---------------------------------------------------------------------------


def test_the_fans_comments_show_as_by_a_deleted_account(client, fan, concern):
    theirs = make_comment(concern, body="Their take")
    make_comment(author=fan, parent=theirs, body="My reply stays")
    delete_account(fan)
    html = client.get(concern.get_absolute_url()).text
    assert "My reply stays" in html
    assert "[deleted account]" in html
    assert fan.username not in html


def test_a_top_level_comment_nobody_answered_loses_its_text(client, fan, concern):
    comment = make_comment(concern, author=fan, body="Alone and personal")
    delete_account(fan)
    comment.refresh_from_db()
    assert (comment.author, comment.status, comment.body) == (None, "deleted", "[deleted]")
    assert "Alone and personal" not in client.get(concern.get_absolute_url()).text
    assert not Comment.objects.filter(body__contains="Alone and personal").exists()


def test_a_comment_with_replies_keeps_its_text(client, fan, concern):
    comment = make_comment(concern, author=fan, body="Worth answering")
    make_comment(parent=comment, body="An answer")
    delete_account(fan)
    comment.refresh_from_db()
    assert (comment.author, comment.status, comment.body) == (None, "visible", "Worth answering")
    assert "Worth answering" in client.get(concern.get_absolute_url()).text


def test_earlier_versions_of_the_fans_comments_are_deleted(fan, concern):
    comment = make_comment(concern, author=fan, body="First draft")
    make_comment(parent=comment)
    edit_comment(fan, comment, body="Second draft", is_spoiler=False, stance="justified")
    delete_account(fan)
    assert not CommentRevision.objects.exists()


def test_the_helpful_marks_the_fan_gave_are_deleted(fan, concern):
    mark_helpful(fan, make_comment(concern))
    delete_account(fan)
    assert not HelpfulMark.objects.exists()


def test_an_authorless_comment_can_still_be_replied_to(
    fan, concern, django_capture_on_commit_callbacks
):
    comment = make_comment(concern, author=fan)
    make_comment(parent=comment)
    delete_account(fan)
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_comment(make_user(), concern, "Still here?", parent=comment)
    assert reply.parent.author is None
    assert not Notification.objects.exists()


def test_the_admin_names_a_deleted_account(admin_client, fan, concern):
    comment = make_comment(concern, author=fan)
    make_comment(parent=comment)
    delete_account(fan)
    comment.refresh_from_db()
    listing = admin_client.get(reverse("admin:discussions_comment_changelist")).text
    page = admin_client.get(reverse("admin:discussions_comment_change", args=[comment.pk])).text
    assert "[deleted account]" in listing
    assert "[deleted account]" in page
    assert str(comment) == f"Comment #{comment.pk} by [deleted account]"


def test_the_feed_names_a_deleted_account(client, fan, concern):
    comment = make_comment(concern, author=fan, body="Fed to readers")
    make_comment(parent=comment)
    delete_account(fan)
    feed = client.get(f"/concerns/{concern.slug}/feed/").text
    assert "[deleted account]: Fed to readers" in feed
    assert fan.username not in feed


def test_the_moderation_log_keeps_a_departed_fans_suspension_without_them(client, fan):
    decisions.suspend(
        fan, make_moderator(), "Flooding", timezone.now() + datetime.timedelta(days=1)
    )
    delete_account(fan)
    html = client.get("/moderation/").text
    assert "suspended a fan" in html
    assert "Suspended until" not in html
    assert fan.username not in html


# --- votes ------------------------------------------------------------------------------


@pytest.fixture
def past_votes(fan, concern):
    """The fan and another fan voting over the last three days."""
    today = timezone.localdate()
    other = make_user()
    vote_on(today - datetime.timedelta(days=3), fan, concern, "overblown")
    vote_on(today - datetime.timedelta(days=2), fan, concern, "justified")
    vote_on(today - datetime.timedelta(days=2), other, concern, "overblown")
    return today


def test_the_fans_votes_leave_the_current_tallies(fan, concern, past_votes):
    delete_account(fan)
    tally = concern.tally
    assert (tally.justified, tally.overblown) == (0, 1)


def test_the_chart_of_past_days_stays_true(fan, concern, past_votes):
    before = shifts(concern)
    delete_account(fan)
    after = shifts(concern)
    today = past_votes
    assert {day: moved for day, moved in after.items() if day != today} == before
    assert after[today] == (-1, 0)
    assert not tallies.check()


def test_the_vote_history_stays_without_the_fan(fan, concern, past_votes):
    mine = VoteEvent.objects.filter(user=fan).count()
    delete_account(fan)
    anonymous = VoteEvent.objects.filter(user__isnull=True)
    # Each change kept, and the clearing written today.
    assert anonymous.count() == mine + 1
    assert anonymous.latest("created_at", "pk").action == "clear"


def test_a_fan_deleted_in_a_shell_leaves_no_drift(fan, concern):
    # The admin refuses to delete a fan with votes (they are read-only there),
    # so a shell or a script is the other way a fan goes.
    make_vote(concern, fan, "justified")
    make_vote(concern, make_user(), "overblown")
    fan.delete()
    # As if the fan never voted: no anonymous history is left behind.
    assert not VoteEvent.objects.filter(user__isnull=True).exists()
    assert not tallies.check()


def test_the_admin_refuses_to_delete_a_fan_with_votes(admin_client, fan, concern):
    make_vote(concern, fan, "justified")
    url = reverse("admin:accounts_user_delete", args=[fan.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=fan.pk).exists()


# --- follows, notifications, reports -----------------------------------------------------


def test_follows_and_notifications_are_deleted(fan, concern):
    follow_concern(fan, concern)
    notify_reply(make_comment(parent=make_comment(concern, author=fan)))
    delete_account(fan)
    assert not Follow.objects.exists()
    assert not Notification.objects.exists()


def test_mail_still_queued_for_the_fan_is_dropped(concern):
    fan = make_user("leaving", email="leaving@example.com")
    other = make_user("staying", email="staying@example.com")
    for user in (fan, other):
        QueuedMail("Hi", "Body", "site@example.com", [user.email]).send()
    delete_account(fan)
    assert [to for (to,) in outbox_addresses()] == [["staying@example.com"]]


def test_reports_stay_without_the_reporter(fan, concern):
    decisions.report_comment(make_comment(concern), fan, "spam", note="An advert")
    delete_account(fan)
    report = Report.objects.get()
    assert (report.reporter, report.note, report.reporter_name) == (
        None,
        "An advert",
        "[deleted account]",
    )


def test_reports_from_deleted_accounts_still_count_to_hold_a_comment(concern, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    comment = make_comment(concern)
    for _ in range(2):
        reporter = make_user()
        decisions.report_comment(comment, reporter, "spam")
        delete_account(reporter)
    decisions.report_comment(comment, make_user(), "spam")
    comment.refresh_from_db()
    assert comment.status == "held"


# --- the command ------------------------------------------------------------------------


def test_the_command_deletes_and_says_what_it_removed(fan, concern):
    make_vote(concern, fan, "justified")
    make_comment(concern, author=fan)
    out = StringIO()
    call_command("delete_account", fan.username, "--noinput", stdout=out)
    assert not User.objects.filter(pk=fan.pk).exists()
    assert "1 votes cleared" in out.getvalue()
    assert "1 comments erased" in out.getvalue()


def test_the_command_asks_first(fan):
    with mock.patch("builtins.input", return_value="no"), pytest.raises(CommandError):
        call_command("delete_account", fan.username, stdout=StringIO())
    assert User.objects.filter(pk=fan.pk).exists()


def test_the_command_refuses_an_unknown_username(db):
    with pytest.raises(CommandError, match="No account named 'nobody_here'"):
        call_command("delete_account", "nobody_here", "--noinput")


def test_the_operation_refuses_the_last_superuser(db):
    with pytest.raises(LastSuperuser):
        delete_account(make_superuser("only_admin"))


def test_deleting_an_account_deletes_the_reviews_it_asked_for(fan):
    comment = make_comment(author=fan)
    decisions.hide_comments([comment], make_moderator(), Rule.SPAM)
    decisions.request_review(comment, fan, "It was a joke between friends.")
    delete_account(fan)
    assert not ReviewRequest.objects.exists()
