"""Hiding a comment names the house rule it broke: in the public log, and to its author."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from discussions.models import Comment
from moderation import decisions
from moderation.models import ModerationEvent, Rule
from notifications.models import Notification
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:discussions_comment_changelist")
QUEUE = reverse("admin:moderation_reportedcomment_changelist")


@pytest.fixture
def comment(concern):
    return make_comment(concern, author=make_user("troll"), body="Rude words")


def hide_in_admin(client, comment, **fields):
    return client.post(
        COMMENTS,
        {"action": "hide_comments", "_selected_action": [comment.pk], **fields},
        follow=True,
    )


def test_hide_without_a_rule_is_refused_and_changes_nothing(comment):
    with pytest.raises(decisions.NoRule):
        decisions.hide_comments([comment], make_moderator(), "")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    assert not ModerationEvent.objects.exists()


def test_hide_with_a_made_up_rule_is_refused(comment):
    with pytest.raises(decisions.NoRule):
        decisions.hide_comments([comment], make_moderator(), "because")
    assert not ModerationEvent.objects.exists()


def test_hide_keeps_the_rule_and_the_note_on_the_log_entry(comment):
    decisions.hide_comments([comment], make_moderator(), Rule.HARASSMENT, "Slurs")
    event = ModerationEvent.objects.get(action=ModerationEvent.Action.HIDE)
    assert (event.rule, event.reason) == (Rule.HARASSMENT, "Slurs")


def test_public_log_shows_the_rule_as_the_category(client, comment):
    decisions.hide_comments([comment], make_moderator(), Rule.HARASSMENT)
    html = client.get("/moderation/").text
    assert "Rule:" in html
    assert str(Rule.HARASSMENT.label) in html


def test_public_log_keeps_the_moderators_note_to_staff(client, comment):
    decisions.hide_comments([comment], make_moderator(), Rule.SPAM, "Same link as user X")
    assert "Same link as user X" not in client.get("/moderation/").text


def test_admin_hide_without_a_rule_says_what_is_missing(client, comment):
    client.force_login(make_moderator())
    response = hide_in_admin(client, comment)
    assert "Choose the rule the comment broke before hiding it" in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    assert not LogEntry.objects.exists()


def test_admin_hide_with_a_too_long_note_says_so(client, comment):
    client.force_login(make_moderator())
    response = hide_in_admin(client, comment, rule=Rule.SPAM, note="x" * 501)
    assert "Keep the note under 500 characters." in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_admin_hide_with_a_rule_hides_and_records_it(client, comment):
    client.force_login(make_moderator())
    response = hide_in_admin(client, comment, rule=Rule.SPOILERS, note="Episode 3 leak")
    assert "1 comment hidden." in response.text
    event = ModerationEvent.objects.get(action=ModerationEvent.Action.HIDE)
    assert (event.rule, event.reason) == (Rule.SPOILERS, "Episode 3 leak")


def test_action_bar_offers_the_rules(client, comment):
    client.force_login(make_moderator())
    html = client.get(QUEUE).text + client.get(COMMENTS).text
    assert 'name="rule"' in html
    assert f'value="{Rule.PIRACY}"' in html


def test_author_is_notified_of_the_hide(comment):
    decisions.hide_comments([comment], make_moderator(), Rule.RESPECT)
    notification = Notification.objects.get(recipient=comment.author)
    assert notification.kind == Notification.Kind.MODERATION
    assert notification.target_url() == f"/comments/{comment.pk}/moderation/"


def test_authors_notifications_say_which_rule(client, comment):
    decisions.hide_comments([comment], make_moderator(), Rule.RESPECT)
    client.force_login(comment.author)
    html = client.get("/notifications/").text
    assert "Moderators hid your comment" in html
    assert str(Rule.RESPECT.label) in html


def test_auto_hold_by_reports_notifies_nobody(comment, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    for _ in range(2):
        decisions.report_comment(comment, make_user(), "spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert not Notification.objects.exists()
    assert ModerationEvent.objects.get().rule == ""


def queue_hide_url(comment):
    return reverse("admin:moderation_reportedcomment_hide", args=[comment.pk])


def test_queue_page_of_a_comment_offers_hide_with_the_rules(client, comment):
    decisions.report_comment(comment, make_user(), "spam")
    client.force_login(make_moderator())
    html = client.get(reverse("admin:moderation_reportedcomment_change", args=[comment.pk])).text
    assert queue_hide_url(comment) in html
    assert f'value="{Rule.HARASSMENT}"' in html


def test_queue_hide_button_without_a_rule_hides_nothing(client, comment):
    client.force_login(make_moderator())
    response = client.post(queue_hide_url(comment), follow=True)
    assert "Choose the rule the comment broke before hiding it" in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_queue_hide_button_with_a_rule_hides(client, comment):
    client.force_login(make_moderator())
    client.post(queue_hide_url(comment), {"rule": Rule.PERSONAL_INFO})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert ModerationEvent.objects.get().rule == Rule.PERSONAL_INFO


def test_queue_hide_button_refuses_a_fan(client, comment):
    client.force_login(make_user())
    response = client.post(queue_hide_url(comment), {"rule": Rule.SPAM})
    assert response.status_code == 302
    assert "login" in response.url
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
