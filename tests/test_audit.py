from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from discussions.models import Comment
from moderation import decisions
from moderation.models import ModerationEvent, Rule
from tests.factories import make_comment, make_moderator, make_suspension, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return make_moderator("mod_minjae")


@pytest.fixture
def comment(concern):
    return make_comment(concern, body="The removed words", author=make_user("troll"))


def actions_logged():
    return list(ModerationEvent.objects.order_by("pk").values_list("action", flat=True))


def test_every_decision_is_recorded_with_who_and_why(moderator, comment):
    decisions.hide_comments([comment], moderator, Rule.RESPECT, "Insults")
    decisions.restore_comments([comment], moderator)
    decisions.report_comment(comment, make_user(), "spam")
    decisions.dismiss_reports([comment], moderator)
    decisions.mark_as_spoiler([comment], moderator)
    suspension = decisions.suspend(comment.author, moderator, "Cooling off")
    decisions.lift_suspension(suspension, moderator)
    decisions.remove_as_spam(comment.author, moderator, "Spam")
    assert actions_logged() == [
        "hide",
        "restore",
        "dismiss",
        "mark_spoiler",
        "suspend",
        "lift",
        "spam_removal",
    ]
    hide = ModerationEvent.objects.get(action="hide")
    assert (hide.actor, hide.comment, hide.target_user, hide.reason) == (
        moderator,
        comment,
        comment.author,
        "Insults",
    )


def test_auto_hide_is_recorded_as_the_site_acting(comment, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    for _ in range(3):
        decisions.report_comment(comment, make_user(), "harassment")
    event = ModerationEvent.objects.get()
    assert (event.action, event.actor) == ("auto_hide", None)


def test_acting_on_nothing_records_nothing(moderator, comment):
    decisions.restore_comments([comment], moderator)
    decisions.dismiss_reports([comment], moderator)
    assert actions_logged() == []


def test_lifting_twice_records_once(moderator, fan):
    suspension = make_suspension(fan)
    decisions.lift_suspension(suspension, moderator)
    decisions.lift_suspension(suspension, moderator)
    assert actions_logged() == ["lift"]


def test_audit_trail_is_read_only_in_admin(client, moderator, comment):
    decisions.hide_comments([comment], moderator, Rule.RESPECT)
    event = ModerationEvent.objects.get()
    client.force_login(make_moderator())
    assert client.get("/admin/moderation/moderationevent/").status_code == 200
    assert client.get(reverse("admin:moderation_moderationevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:moderation_moderationevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert ModerationEvent.objects.count() == 1


def test_admin_hide_writes_django_admin_log(client, moderator, comment):
    client.force_login(moderator)
    client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [comment.pk], "rule": Rule.RESPECT},
    )
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.change_message) == (
        moderator,
        str(comment.pk),
        "1 comment hidden.",
    )


def test_public_log_lists_acts_newest_first(client, moderator, comment):
    decisions.hide_comments([comment], moderator, Rule.RESPECT, "Insults")
    decisions.suspend(comment.author, moderator, "Repeated insults")
    html = client.get("/moderation/").text
    assert html.index("suspended a fan") < html.index("hid a comment")
    assert "mod_minjae" in html
    assert "troll" in html
    # A hide shows the rule broken; the moderator's note stays with the staff.
    assert "Respect other fans" in html
    assert "Insults" not in html
    assert "Reason: Repeated insults" in html
    assert comment.concern.title in html


def test_public_log_never_shows_removed_text_or_reporters(client, moderator, comment):
    decisions.report_comment(comment, make_user("secret_reporter"), "spam", "they are a bot")
    decisions.hide_comments([comment], moderator, Rule.RESPECT)
    html = client.get("/moderation/").text
    assert "The removed words" not in html
    assert "secret_reporter" not in html
    assert "they are a bot" not in html


def test_public_log_describes_auto_hide_and_spam_removal(client, moderator, comment, settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    for _ in range(3):
        decisions.report_comment(comment, make_user(), "spam")
    make_comment(comment.concern, author=comment.author)
    decisions.remove_as_spam(comment.author, moderator, "Spam")
    html = client.get("/moderation/").text
    assert "The site" in html
    assert "3 fans reported it; a moderator will review it." in html
    assert "2 comments hidden." in html
    assert "Suspended permanently." in html


def test_public_log_is_linked_from_every_page(client, db):
    assert 'href="/moderation/"' in client.get("/").text


def test_grant_role_makes_a_moderator(fan):
    out = StringIO()
    call_command("grant_role", fan.username, "moderator", stdout=out)
    fan.refresh_from_db()
    assert fan.is_staff
    assert list(fan.groups.values_list("name", flat=True)) == ["Moderators"]
    assert "is now a moderator" in out.getvalue()


def test_grant_role_revoke_takes_staff_away(fan):
    call_command("grant_role", fan.username, "curator", stdout=StringIO())
    call_command("grant_role", fan.username, "curator", "--revoke", stdout=StringIO())
    fan.refresh_from_db()
    assert not fan.is_staff
    assert not fan.groups.exists()


def test_grant_role_unknown_user_fails_clearly(db):
    with pytest.raises(CommandError, match="No account named 'ghost'"):
        call_command("grant_role", "ghost", "moderator")


def test_grant_role_unknown_user_says_how_to_make_the_account(db):
    with pytest.raises(CommandError) as refused:
        call_command("grant_role", "ghost", "curator")
    assert "sign up at /accounts/signup/" in str(refused.value)
    assert "then run this again" in str(refused.value)
    assert not Group.objects.get(name="Curators").user_set.exists()


def test_roles_exist_after_migrations(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Moderators", "Curators"}


def test_comment_hidden_in_admin_leaves_row_in_database(moderator, comment):
    decisions.hide_comments([comment], moderator, Rule.RESPECT)
    assert Comment.objects.filter(pk=comment.pk, body="The removed words").exists()
