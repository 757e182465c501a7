"""Reports that a sock-puppet trio cannot abuse.

A comment is held for review once reports from enough distinct fans agree
(MODERATION_AUTO_HIDE_REPORTS, above the sign-up limit per address), and the
reports of accounts under a day old that came from one address count once
together. A moderator puts a held comment back with one click.
"""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import checks
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from discussions.models import Comment
from moderation import decisions
from moderation.checks import auto_hide_threshold_above_signup_limit
from moderation.models import ModerationEvent, Report, address_digest
from privacy.deletion import delete_account
from tests.factories import (
    age_account,
    make_comment,
    make_curator,
    make_moderator,
    make_newcomer,
    make_staff,
    make_user,
)
from tests.test_rate_limits import sign_up

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/reportedcomment/"
HOME = "203.0.113.7"


def report_url(comment):
    return reverse("moderation:comment-report", args=[comment.pk])


def restore_url(comment):
    return reverse("admin:moderation_reportedcomment_restore", args=[comment.pk])


def report_from(address, reporter, comment, **data):
    """Report as a fan whose browser connects from address; return the answer."""
    client = Client(REMOTE_ADDR=address)
    client.force_login(reporter)
    return client.post(report_url(comment), {"reason": "harassment", **data})


def established():
    return age_account(make_user(), hours=24 * 8)


def status(comment):
    comment.refresh_from_db()
    return comment.status


@pytest.fixture
def comment(concern):
    """An established fan's comment."""
    return make_comment(concern, author=established(), body="Cheong-san deserved better")


@pytest.fixture
def held(comment):
    for n in range(4):
        report_from(f"198.51.100.{n}", established(), comment)
    assert status(comment) == Comment.Status.HELD
    return comment


# --- what holds a comment ---------------------------------------------------------------


def test_three_accounts_signed_up_from_one_address_cannot_hold_a_comment(comment):
    for n in range(3):
        assert sign_up(f"puppet_{n}", address=HOME).status_code == 302
    assert sign_up("puppet_3", address=HOME).status_code == 429
    for puppet in User.objects.filter(username__startswith="puppet_"):
        assert report_from(HOME, puppet, comment).status_code == 302
    assert Report.objects.count() == 3
    assert status(comment) == Comment.Status.VISIBLE


@pytest.mark.parametrize("puppets", [4, 12])
def test_new_accounts_from_one_address_count_once_however_many(comment, puppets):
    for _ in range(puppets):
        report_from(HOME, make_newcomer(), comment)
    assert Report.objects.open().weight() == 1
    assert status(comment) == Comment.Status.VISIBLE


def test_new_accounts_from_one_address_and_three_established_fans_weigh_four(comment):
    for _ in range(3):
        report_from(HOME, make_newcomer(), comment)
    for n in range(2):
        report_from(f"198.51.100.{n}", established(), comment)
    assert status(comment) == Comment.Status.VISIBLE
    report_from("198.51.100.9", established(), comment)
    assert status(comment) == Comment.Status.HELD


def test_three_new_accounts_from_three_addresses_weigh_three(comment):
    for n in range(3):
        report_from(f"192.0.2.{n}", make_newcomer(), comment)
    assert Report.objects.open().weight() == 3
    assert status(comment) == Comment.Status.VISIBLE


def test_a_fourth_fan_brings_three_new_accounts_from_three_addresses_to_the_threshold(comment):
    for n in range(3):
        report_from(f"192.0.2.{n}", make_newcomer(), comment)
    report_from("192.0.2.99", make_newcomer(), comment)
    assert status(comment) == Comment.Status.HELD


def test_established_fans_each_count_even_from_one_address(comment):
    for _ in range(4):
        report_from(HOME, established(), comment)
    assert status(comment) == Comment.Status.HELD


def test_new_and_established_fans_at_one_address_are_not_folded_together(comment):
    report_from(HOME, make_newcomer(), comment)
    report_from(HOME, established(), comment)
    assert Report.objects.open().weight() == 2


def test_accounts_a_day_old_from_one_address_still_count_once_with_a_newcomer(comment):
    # Opened yesterday, past the sign-up limit's day, and one more today.
    puppets = [age_account(make_newcomer(), hours=25) for _ in range(3)] + [make_newcomer()]
    for puppet in puppets:
        report_from(HOME, puppet, comment)
    assert Report.objects.open().weight() == 1
    assert status(comment) == Comment.Status.VISIBLE


def test_one_ipv6_subscriber_network_is_one_address(comment):
    for n in range(4):
        report_from(f"2001:db8:1:2::{n + 1}", make_newcomer(), comment)
    assert Report.objects.open().weight() == 1


def test_an_established_reporters_address_is_not_kept(comment):
    report_from(HOME, established(), comment)
    assert Report.objects.get().address_digest == ""


def test_whether_a_reporter_was_new_is_judged_when_they_report(comment):
    puppets = [make_newcomer() for _ in range(3)]
    for puppet in puppets:
        report_from(HOME, puppet, comment)
    for puppet in puppets:
        age_account(puppet)
    assert list(Report.objects.values_list("reporter_was_new", flat=True)) == [True] * 3
    assert Report.objects.open().weight() == 1


def test_new_accounts_that_deleted_themselves_still_count_once_together(comment):
    for _ in range(3):
        puppet = make_newcomer()
        report_from(HOME, puppet, comment)
        delete_account(puppet)
    assert Report.objects.filter(reporter=None).count() == 3
    assert Report.objects.open().weight() == 1


def test_established_fans_who_deleted_their_accounts_each_still_count(comment):
    for n in range(2):
        fan = established()
        report_from(f"198.51.100.{n}", fan, comment)
        delete_account(fan)
    assert Report.objects.open().weight() == 2


def test_reports_the_site_files_without_an_address_count_once_each(comment):
    for _ in range(3):
        decisions.report_comment(comment, make_user(), "spam")
    assert Report.objects.open().weight() == 3


@override_settings(MODERATION_AUTO_HIDE_REPORTS=2)
def test_the_threshold_setting_decides(comment):
    report_from("198.51.100.1", established(), comment)
    assert status(comment) == Comment.Status.VISIBLE
    report_from("198.51.100.2", established(), comment)
    assert status(comment) == Comment.Status.HELD


@override_settings(MODERATION_AUTO_HIDE_REPORTS=6)
def test_a_higher_threshold_needs_more_fans(comment):
    for n in range(5):
        report_from(f"198.51.100.{n}", established(), comment)
    assert status(comment) == Comment.Status.VISIBLE


def test_the_log_counts_the_reports_that_held_it(comment):
    for _ in range(3):
        report_from(HOME, make_newcomer(), comment)
    for n in range(3):
        report_from(f"198.51.100.{n}", established(), comment)
    event = ModerationEvent.objects.get(action=ModerationEvent.Action.AUTO_HIDE)
    assert (event.actor, event.count) == (None, 6)


# --- where a report came from, kept private ---------------------------------------------


def test_a_report_keeps_a_digest_of_the_address_not_the_address(comment):
    report_from(HOME, make_newcomer(), comment)
    report = Report.objects.get()
    assert report.reporter_was_new
    assert re.fullmatch(r"[0-9a-f]{64}", report.address_digest)
    assert HOME not in report.address_digest
    assert report.address_digest == address_digest(HOME)


def test_different_addresses_give_different_digests():
    assert address_digest(HOME) != address_digest("203.0.113.8")


def test_the_digest_is_keyed_with_the_secret_key():
    before = address_digest(HOME)
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert address_digest(HOME) != before


def test_an_address_cannot_be_stored_as_a_digest(comment):
    report_from(HOME, make_newcomer(), comment)
    with pytest.raises(IntegrityError):
        Report.objects.update(address_digest=HOME)


def test_behind_a_trusted_proxy_the_client_not_the_proxy_is_digested(settings, comment):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    client.force_login(make_newcomer())
    client.post(report_url(comment), {"reason": "spam"})
    assert Report.objects.get().address_digest == address_digest("198.51.100.1")


BEFORE = ("moderation", "0003_rows_kept_after_account_deletion")


@pytest.mark.django_db(transaction=True)
def test_reports_filed_before_addresses_were_kept_count_once_each():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    # The state as migrated back: apps whose migrations need a later moderation
    # (notifications names its log entries) went back with it.
    executor.loader.build_graph()
    graph = executor.loader.graph
    applied = [node for node in executor.loader.applied_migrations if node in graph.nodes]
    old = executor.loader.project_state(applied).apps
    author, reporter = (
        old.get_model("accounts", "User").objects.create(username=name, date_joined=timezone.now())
        for name in ("author", "reporter")
    )
    concern = old.get_model("discussions", "Concern").objects.first() or _old_concern(old)
    comment = old.get_model("discussions", "Comment").objects.create(
        concern=concern, author=author, body="Before"
    )
    old.get_model("moderation", "Report").objects.create(
        comment=comment, reporter=reporter, reason="spam"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    report = Report.objects.get()
    assert (report.address_digest, report.reporter_was_new) == ("", False)


def _old_concern(apps):
    article = apps.get_model("discussions", "Article").objects.create(
        title="Article", slug="article", summary="Summary."
    )
    return apps.get_model("discussions", "Concern").objects.create(
        article=article, title="Fear", slug="fear", description="Worry.", position=1
    )


# --- the threshold stays above the sign-up limit ----------------------------------------


def moderation_errors():
    return [error.id for error in checks.run_checks() if error.id.startswith("moderation.")]


def test_the_default_threshold_is_above_the_sign_up_limit():
    assert moderation_errors() == []


@pytest.mark.parametrize(("threshold", "signup"), [(3, "3/d"), (2, "3/d"), (30, "2/h")])
def test_a_threshold_the_accounts_of_one_address_could_reach_is_refused(
    settings, threshold, signup
):
    settings.MODERATION_AUTO_HIDE_REPORTS = threshold
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": signup}
    assert moderation_errors() == ["moderation.E003"]


def test_the_refusal_says_what_to_set(settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    (error,) = auto_hide_threshold_above_signup_limit(None)
    assert "one address may open 3 accounts a day" in error.msg
    assert error.hint == "Set MODERATION_AUTO_HIDE_REPORTS to 4 or more."


@pytest.mark.parametrize(("threshold", "signup"), [(4, "3/d"), (49, "2/h"), (4, "3/2d")])
def test_a_threshold_above_the_sign_up_limit_passes(settings, threshold, signup):
    settings.MODERATION_AUTO_HIDE_REPORTS = threshold
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": signup}
    assert moderation_errors() == []


@pytest.mark.parametrize("threshold", [0, -1, "4", 2.5, True])
def test_a_threshold_that_is_not_a_whole_number_of_fans_is_refused(settings, threshold):
    settings.MODERATION_AUTO_HIDE_REPORTS = threshold
    assert moderation_errors() == ["moderation.E001"]


def test_sign_ups_without_a_limit_are_refused(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": None}
    assert moderation_errors() == ["moderation.E002"]


# --- one click restores -----------------------------------------------------------------


def test_anonymous_restore_goes_to_the_admin_log_in(client, held):
    response = client.post(restore_url(held))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert status(held) == Comment.Status.HELD


def test_a_fan_cannot_restore(fan_client, held):
    response = fan_client.post(restore_url(held))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert status(held) == Comment.Status.HELD


def test_a_curator_cannot_restore(client, held):
    client.force_login(make_curator())
    assert client.post(restore_url(held)).status_code == 403
    assert status(held) == Comment.Status.HELD
    assert not ModerationEvent.objects.filter(action=ModerationEvent.Action.RESTORE).exists()


def test_a_moderator_restores_with_one_click(client, held):
    client.force_login(make_moderator())
    response = client.post(restore_url(held), follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "The comment is back on the site" in response.text
    assert status(held) == Comment.Status.VISIBLE


def test_restoring_dismisses_the_reports_that_held_it(client, held):
    moderator = make_moderator()
    client.force_login(moderator)
    client.post(restore_url(held))
    assert set(Report.objects.values_list("status", "resolved_by")) == {
        (Report.Status.DISMISSED, moderator.pk)
    }


def test_a_decided_report_keeps_no_digest(client, comment):
    for n in range(4):
        report_from(f"198.51.100.{n}", make_newcomer(), comment)
    assert "" not in set(Report.objects.values_list("address_digest", flat=True))
    client.force_login(make_moderator())
    client.post(restore_url(comment))
    assert set(Report.objects.values_list("address_digest", flat=True)) == {""}


def test_the_review_page_shows_which_reporters_were_new(client, held):
    client.force_login(make_moderator())
    page = client.get(f"{QUEUE}{held.pk}/change/").text
    assert "Reporter&#x27;s account was under a week old" in page


def test_restoring_is_in_the_moderation_log_and_the_admin_log(client, held):
    moderator = make_moderator()
    client.force_login(moderator)
    client.post(restore_url(held))
    event = ModerationEvent.objects.get(action=ModerationEvent.Action.RESTORE)
    assert (event.actor, event.comment, event.target_user) == (moderator, held, held.author)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.change_message) == (
        moderator,
        str(held.pk),
        "Restored",
    )


def test_the_same_reports_cannot_hold_a_restored_comment_again(client, held):
    reporters = list(User.objects.filter(reports_made__comment=held))
    decisions.restore_comments([held], make_moderator())
    for reporter in reporters:
        report_from("198.51.100.200", reporter, held)
    report_from("198.51.100.201", established(), held)
    assert Report.objects.open().weight() == 1
    assert status(held) == Comment.Status.VISIBLE


def test_restore_takes_a_post_only(client, held):
    client.force_login(make_moderator())
    assert client.get(restore_url(held)).status_code == 405
    assert status(held) == Comment.Status.HELD


def test_restore_needs_the_csrf_token(held):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_moderator())
    assert client.post(restore_url(held)).status_code == 403
    assert status(held) == Comment.Status.HELD


def test_the_queue_row_button_restores_with_the_lists_token(held):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_moderator())
    page = client.get(QUEUE).text
    assert f'formaction="{restore_url(held)}"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    # What the list's form sends when its row's button is pressed.
    client.post(
        restore_url(held), {"csrfmiddlewaretoken": token, "action": "", "select_across": "0"}
    )
    assert status(held) == Comment.Status.VISIBLE


def test_the_review_page_has_a_restore_button(client, held):
    client.force_login(make_moderator())
    page = client.get(f"{QUEUE}{held.pk}/change/").text
    assert f'<form method="post" action="{restore_url(held)}">' in page


def test_a_visible_comment_with_reports_has_no_restore_button(client, comment):
    report_from(HOME, established(), comment)
    client.force_login(make_moderator())
    assert restore_url(comment) not in client.get(QUEUE).text
    assert restore_url(comment) not in client.get(f"{QUEUE}{comment.pk}/change/").text


def test_restoring_a_visible_comment_changes_nothing_and_says_so(client, comment):
    report_from(HOME, established(), comment)
    client.force_login(make_moderator())
    response = client.post(restore_url(comment), follow=True)
    assert "That comment was not held or hidden, so nothing changed." in response.text
    assert Report.objects.get().status == Report.Status.OPEN
    assert not ModerationEvent.objects.exists()


def test_a_second_click_says_nothing_changed(client, held):
    client.force_login(make_moderator())
    client.post(restore_url(held))
    response = client.post(restore_url(held), follow=True)
    assert "nothing changed" in response.text
    assert ModerationEvent.objects.filter(action=ModerationEvent.Action.RESTORE).count() == 1


@pytest.mark.parametrize("object_id", ["abc", "0", "99999999999999999999", "-1", "1.5", "%00"])
def test_restoring_no_such_comment_says_so(client, held, object_id):
    client.force_login(make_moderator())
    response = client.post(f"{QUEUE}{object_id}/restore/", follow=True)
    assert response.status_code == 200
    assert "doesn\u2019t exist" in response.text
    assert status(held) == Comment.Status.HELD


# --- odd input to the report form -------------------------------------------------------

REFUSED = [
    ({}, "Choose a reason."),
    ({"reason": ""}, "Choose a reason."),
    ({"reason": "SPAM"}, "Select a valid choice."),
    ({"reason": " spam "}, "Select a valid choice."),
    ({"reason": "spam\x00"}, "Select a valid choice."),
    ({"reason": "x" * 100_000}, "Select a valid choice."),
    ({"reason": "spam", "note": "a" * 501}, "Ensure this value has at most 500 characters"),
    ({"reason": "spam", "note": "Look\x00"}, "Null characters are not allowed."),
]


@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_odd_report_form_input_gets_a_clear_message(comment, data, message):
    client = Client(REMOTE_ADDR=HOME)
    client.force_login(make_newcomer())
    response = client.post(report_url(comment), data)
    assert response.status_code == 400
    assert message in response.text
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reason": ["spam", "other"]},
        {"reason": "other", "note": "좀비 🧟 <script>alert(1)</script> \u202e"},
        {"reason": "other", "note": "a" * 500},
        {"reason": "spoiler", "unknown": "x" * 10_000},
    ],
)
def test_odd_but_acceptable_report_form_input_is_filed(comment, data):
    client = Client(REMOTE_ADDR=HOME)
    client.force_login(make_newcomer())
    assert client.post(report_url(comment), data).status_code == 302
    assert Report.objects.count() == 1


@pytest.mark.parametrize("remote", ["", "not-an-address", "::1", "2001:db8::7", "256.1.1.1"])
def test_an_odd_client_address_still_files_the_report(comment, remote):
    client = Client(REMOTE_ADDR=remote)
    client.force_login(make_newcomer())
    assert client.post(report_url(comment), {"reason": "spam"}).status_code == 302
    assert len(Report.objects.get().address_digest) == 64


@pytest.mark.parametrize("pk", ["0", "99999999999999999999"])
def test_reporting_no_such_comment_is_not_found(fan_client, pk):
    assert fan_client.post(f"/comments/{pk}/report/", {"reason": "spam"}).status_code == 404


def test_staff_who_may_only_look_get_no_restore_button(client, held):
    watcher = make_staff()
    watcher.user_permissions.add(
        Permission.objects.get(
            codename="view_reportedcomment", content_type__app_label="moderation"
        )
    )
    client.force_login(watcher)
    listing = client.get(QUEUE)
    assert listing.status_code == 200
    assert restore_url(held) not in listing.text
    assert restore_url(held) not in client.get(f"{QUEUE}{held.pk}/change/").text
