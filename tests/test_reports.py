import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from discussions.models import Comment
from moderation import decisions
from moderation.models import ModerationEvent, Report, ReportedComment, Rule
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/reportedcomment/"


def report_url(comment):
    return reverse("moderation:comment-report", args=[comment.pk])


@pytest.fixture
def comment(concern):
    return make_comment(concern, body="Gwi-nam is the best character")


def report_as(user, comment, reason="spam"):
    return decisions.report_comment(comment, user, reason)


def test_anonymous_report_goes_to_login(client, comment):
    response = client.post(report_url(comment), {"reason": "spam"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_report_page_shows_the_reasons(fan_client, comment):
    html = fan_client.get(report_url(comment)).text
    for label in ["Spam", "Harassment", "Unmarked spoiler", "Off-topic", "Other"]:
        assert label in html


def test_fan_reports_a_comment(fan_client, fan, comment):
    response = fan_client.post(
        report_url(comment), {"reason": "harassment", "note": "Insults"}, follow=True
    )
    assert "The moderators will take a look." in response.text
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.note, report.status) == (
        fan,
        "harassment",
        "Insults",
        "open",
    )


def test_reporting_own_comment_is_refused(fan_client, fan, concern):
    own = make_comment(concern, author=fan)
    response = fan_client.post(report_url(own), {"reason": "spam"})
    assert response.status_code == 400
    assert "You can&#x27;t report your own comment." in response.text
    assert not Report.objects.exists()


def test_reporting_twice_says_so_politely(fan_client, fan, comment):
    fan_client.post(report_url(comment), {"reason": "spam"})
    response = fan_client.post(report_url(comment), {"reason": "other"}, follow=True)
    assert "You already reported this comment." in response.text
    assert Report.objects.count() == 1


def test_report_without_reason_explains(fan_client, comment):
    response = fan_client.post(report_url(comment), {"reason": "bogus"})
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_hidden_comment_cannot_be_reported(fan_client, comment):
    decisions.hide_comments([comment], make_moderator(), Rule.RESPECT)
    assert fan_client.post(report_url(comment), {"reason": "spam"}).status_code == 404


def test_two_reports_leave_comment_visible(comment):
    report_as(make_user(), comment)
    report_as(make_user(), comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_three_reports_leave_comment_visible(comment):
    for _ in range(3):
        report_as(make_user(), comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_four_distinct_fans_hold_the_comment_for_review(client, comment):
    for _ in range(4):
        report_as(make_user(), comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert comment.body not in client.get(comment.concern.get_absolute_url()).text
    event = ModerationEvent.objects.get(action="auto_hide")
    assert (event.actor, event.comment, event.count) == (None, comment, 4)


def test_auto_hide_threshold_is_a_setting(settings, comment):
    settings.MODERATION_AUTO_HIDE_REPORTS = 1
    report_as(make_user(), comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_queue_lists_held_first_then_most_reported(concern):
    once, twice, held = (make_comment(concern) for _ in range(3))
    report_as(make_user(), once)
    for _ in range(2):
        report_as(make_user(), twice)
    for _ in range(4):
        report_as(make_user(), held)
    assert list(ReportedComment.objects.needing_review()) == [held, twice, once]


def test_queue_excludes_comments_without_open_reports(concern, comment):
    report_as(make_user(), comment)
    decisions.dismiss_reports([comment], make_moderator())
    assert not ReportedComment.objects.needing_review().exists()


def test_queue_page_shows_reasons_and_reporters(client, comment):
    report_as(make_user("reporter_one"), comment, "spam")
    report_as(make_user("reporter_two"), comment, "spoiler")
    client.force_login(make_moderator())
    html = client.get(QUEUE).text
    assert "Spam (1)" in html
    assert "Unmarked spoiler (1)" in html
    assert "reporter_one" in html and "reporter_two" in html


def test_admin_index_links_queue_with_open_count(client, comment):
    report_as(make_user(), comment)
    client.force_login(make_moderator())
    html = client.get("/admin/").text
    assert "Comments needing review (1 open)" in html
    assert QUEUE in html


def run_queue_action(client, action, comment):
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [comment.pk], "rule": Rule.SPAM},
        follow=True,
    )


def test_queue_hide_upholds_reports(client, comment):
    report_as(make_user(), comment)
    client.force_login(make_moderator())
    response = run_queue_action(client, "hide_comments", comment)
    assert "1 comment hidden." in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert list(Report.objects.values_list("status", flat=True)) == ["upheld"]


def test_queue_dismiss_keeps_comment_and_closes_reports(client, comment):
    for _ in range(4):
        report_as(make_user(), comment)
    client.force_login(make_moderator())
    run_queue_action(client, "dismiss_reports", comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}


def test_queue_mark_spoiler_resolves_spoiler_reports_only(client, comment):
    report_as(make_user(), comment, "spoiler")
    report_as(make_user(), comment, "harassment")
    client.force_login(make_moderator())
    run_queue_action(client, "mark_as_spoiler", comment)
    comment.refresh_from_db()
    assert comment.is_spoiler
    statuses = dict(Report.objects.values_list("reason", "status"))
    assert statuses == {"spoiler": "upheld", "harassment": "open"}


def test_mark_spoiler_shows_held_comment_again_when_nothing_else_is_open(comment):
    for _ in range(4):
        report_as(make_user(), comment, "spoiler")
    decisions.mark_as_spoiler([comment], make_moderator())
    comment.refresh_from_db()
    assert (comment.status, comment.is_spoiler) == (Comment.Status.VISIBLE, True)


def test_queue_actions_write_the_admin_log(client, comment):
    report_as(make_user(), comment)
    moderator = make_moderator()
    client.force_login(moderator)
    run_queue_action(client, "hide_comments", comment)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (moderator, str(comment.pk))
