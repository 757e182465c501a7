"""@username in a comment: a link to that fan's profile, and a notification for them."""

import datetime
import itertools
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Mute
from discussions.authoring import edit_comment, post_comment
from discussions.formatting import render
from moderation import decisions
from moderation.models import Rule
from notifications.models import MailFrequency, MailPreference, Notification
from privacy.deletion import delete_account
from tests.factories import make_comment, make_moderator, make_suspension, make_user
from tests.mailbox import outbox

on_commit_now = mock.patch("django.db.transaction.on_commit", lambda fn, **kw: fn())


def post(author, concern, body, **fields):
    with on_commit_now:
        return post_comment(author, concern, body, **fields)


def mentions_of(fan):
    return Notification.objects.filter(recipient=fan, kind=Notification.Kind.MENTION)


# --- the link -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mention_links_to_the_fans_profile():
    fan = make_user("cheongsan")
    rendered = render("Ask @cheongsan about it").html
    assert f'<a href="{fan.get_absolute_url()}" class="mention"' in rendered
    assert ">@cheongsan</a> about it" in rendered


@pytest.mark.django_db
def test_a_mention_matches_whatever_the_case_and_links_the_real_name():
    fan = make_user("Cheongsan")
    rendered = render("thanks @CHEONGSAN!").html
    assert f'href="{fan.get_absolute_url()}"' in rendered
    assert ">@CHEONGSAN</a>!" in rendered


@pytest.mark.django_db
def test_a_sentences_full_stop_is_not_part_of_the_name():
    fan = make_user("onjo")
    rendered = render("Agreed with @onjo.")
    assert rendered.mentioned == [fan]
    assert ">@onjo</a>.</p>" in rendered.html


@pytest.mark.django_db
def test_a_name_nobody_has_stays_text():
    rendered = render("Hello @nobody_here").html
    assert "<a" not in rendered


@pytest.mark.django_db
def test_an_inactive_account_is_not_linked():
    make_user("gone_fan", is_active=False)
    assert "<a" not in render("Hello @gone_fan").html


@pytest.mark.django_db
def test_an_email_address_is_not_a_mention():
    make_user("example")
    rendered = render("mail me at fan@example.com").html
    assert 'class="mention"' not in rendered


@pytest.mark.django_db
def test_a_name_in_code_is_not_linked():
    make_user("suhyeok")
    assert 'class="mention"' not in render("type `@suhyeok` to mention").html


@pytest.mark.django_db
def test_the_thread_shows_the_mention_as_a_link(client, concern):
    fan = make_user("namra")
    make_comment(concern, body="Right, @namra?")
    page = client.get(concern.get_absolute_url()).text
    assert f'<a href="{fan.get_absolute_url()}" class="mention"' in page


# --- the notification ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mention_notifies_the_fan(concern):
    fan = make_user("cheongsan")
    comment = post(make_user(), concern, "What do you think, @cheongsan?")
    (notification,) = mentions_of(fan)
    assert notification.comment == comment
    assert notification.concern == concern


@pytest.mark.django_db
def test_the_notification_list_says_who_mentioned_you_and_where(client, concern):
    fan = make_user("cheongsan")
    post(make_user("onjo"), concern, "@cheongsan look")
    client.force_login(fan)
    page = client.get("/notifications/").text
    assert f"onjo mentioned you in a comment on “{concern.title}”" in page


@pytest.mark.django_db
def test_opening_a_mention_goes_to_the_comment(client, concern):
    fan = make_user("cheongsan")
    comment = post(make_user(), concern, "@cheongsan look")
    client.force_login(fan)
    (notification,) = mentions_of(fan)
    response = client.post(notification.get_absolute_url())
    assert response.url == comment.get_absolute_url()


@pytest.mark.django_db
def test_a_mention_is_mailed_as_replies_are(concern):
    fan = make_user("cheongsan", email="cheongsan@example.com")
    EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=True)
    post(make_user("onjo"), concern, "@cheongsan the ending: ||Nam-ra lives||")
    (message,) = outbox()
    assert message.to == ["cheongsan@example.com"]
    assert "onjo mentioned you" in message.subject
    assert "onjo mentioned you in a comment" in message.body
    assert "Nam-ra" not in message.body
    assert "[spoiler]" in message.body


@pytest.mark.django_db
def test_no_mention_mail_when_the_fan_wants_no_reply_mail(concern):
    fan = make_user("cheongsan", email="cheongsan@example.com")
    EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=True)
    MailPreference.objects.create(user=fan, replies=MailFrequency.NEVER)
    post(make_user(), concern, "@cheongsan hi")
    assert outbox() == []
    assert mentions_of(fan).count() == 1


@pytest.mark.django_db
def test_the_mail_settings_say_mentions_ride_on_replies(client, fan):
    client.force_login(fan)
    assert "Also comments that mention you" in client.get("/notifications/mail/").text


@pytest.mark.django_db
def test_mentioning_yourself_notifies_nobody(concern):
    author = make_user("onjo")
    post(author, concern, "as @onjo said before")
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_suspended_fan_is_not_notified(concern):
    fan = make_user("cheongsan")
    make_suspension(fan)
    post(make_user(), concern, "@cheongsan hi")
    assert not mentions_of(fan).exists()


@pytest.mark.django_db
def test_a_fan_who_muted_the_author_is_not_notified(concern):
    fan, author = make_user("cheongsan"), make_user("troll")
    Mute.objects.create(muter=fan, muted=author)
    post(author, concern, "@cheongsan hi")
    assert not mentions_of(fan).exists()


@pytest.mark.django_db
def test_a_mention_in_code_notifies_nobody(concern):
    fan = make_user("cheongsan")
    post(make_user(), concern, "write `@cheongsan` to mention\n\n```\n@cheongsan\n```")
    assert not mentions_of(fan).exists()


@pytest.mark.django_db
def test_a_mention_inside_a_quote_notifies_nobody(concern):
    fan = make_user("cheongsan")
    post(make_user(), concern, "> @cheongsan said so\n\nI disagree")
    assert not mentions_of(fan).exists()


@pytest.mark.django_db
def test_the_quoted_author_hears_of_a_quote(fan_client, concern):
    quoted = make_user("cheongsan")
    parent = make_comment(concern, author=quoted, body="@namra is fine")
    namra = make_user("namra")
    post(make_user(), concern, parent.as_quote() + "Not so sure.")
    assert mentions_of(quoted).count() == 1
    assert not mentions_of(namra).exists()


@pytest.mark.django_db
def test_at_most_five_fans_are_notified_per_comment(concern, settings):
    fans = [make_user(f"fan_{n}") for n in range(7)]
    post(make_user(), concern, " ".join(f"@{fan.username}" for fan in fans))
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.MENTION).values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {f"fan_{n}" for n in range(5)}


@pytest.mark.django_db
def test_the_limit_is_the_setting(concern, settings):
    settings.MENTIONS_PER_COMMENT = 1
    make_user("a_fan"), make_user("b_fan")
    post(make_user(), concern, "@a_fan @b_fan")
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_one_comment_naming_a_fan_twice_notifies_once(concern):
    fan = make_user("cheongsan")
    post(make_user(), concern, "@cheongsan, yes @Cheongsan, you")
    assert mentions_of(fan).count() == 1


@pytest.mark.django_db
def test_an_edit_notifies_only_the_newly_mentioned(concern):
    author, first, second = make_user(), make_user("first_fan"), make_user("second_fan")
    comment = post(author, concern, "@first_fan hi")
    with on_commit_now:
        edit_comment(
            author,
            comment,
            body="@first_fan and @second_fan hi",
            is_spoiler=False,
            stance=comment.stance,
        )
    assert mentions_of(first).count() == 1
    assert mentions_of(second).count() == 1


@pytest.mark.django_db
def test_edits_never_pass_the_limit(concern, settings):
    settings.MENTIONS_PER_COMMENT = 1
    author = make_user()
    make_user("first_fan"), make_user("second_fan")
    comment = post(author, concern, "@first_fan hi")
    with on_commit_now:
        edit_comment(author, comment, body="@second_fan hi", is_spoiler=False, stance="undecided")
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_mentioning_the_fan_you_reply_to_notifies_them_once(concern):
    parent_author = make_user("cheongsan")
    parent = make_comment(concern, author=parent_author)
    post(make_user(), concern, "@cheongsan exactly", parent=parent)
    (notification,) = Notification.objects.filter(recipient=parent_author)
    assert notification.kind == Notification.Kind.REPLY


@pytest.mark.django_db
def test_posting_a_mention_through_the_form_notifies(fan_client, concern):
    fan = make_user("cheongsan")
    with on_commit_now:
        response = fan_client.post(
            f"/concerns/{concern.slug}/comments/", {"body": "@cheongsan what now?"}
        )
    assert response.status_code == 302
    assert mentions_of(fan).count() == 1


@pytest.mark.django_db
def test_a_preview_notifies_nobody(fan_client, concern):
    fan = make_user("cheongsan")
    with on_commit_now:
        fan_client.post(
            f"/concerns/{concern.slug}/comments/", {"body": "@cheongsan hi", "preview": "1"}
        )
    assert not mentions_of(fan).exists()


@pytest.mark.django_db
def test_a_deleted_account_is_no_longer_linked_where_it_was_mentioned(concern):
    leaving = make_user("leaving_fan")
    comment = make_comment(concern, body="ask @leaving_fan")
    assert 'class="mention"' in comment.body_html
    delete_account(leaving)
    comment.refresh_from_db()
    assert 'class="mention"' not in comment.html
    assert "ask @leaving_fan" in comment.html


# --- one fan's mentions of another: a few an hour --------------------------------------------


TAKES = itertools.count(1)


def mention_again_and_again(author, concern, clock, times, name="cheongsan"):
    """Post `times` comments naming the fan, each far enough apart to pass the comment limits."""
    comments = []
    for _ in range(times):
        clock.advance(60)
        comments.append(post(author, concern, f"Take {next(TAKES)}, @{name}?"))
    return comments


@pytest.mark.django_db
def test_the_fourth_mention_in_an_hour_by_one_fan_notifies_nobody(concern, clock):
    fan, author = make_user("cheongsan"), make_user("troll")
    *_, fourth = mention_again_and_again(author, concern, clock, 4)
    assert mentions_of(fan).count() == 3
    assert not Notification.objects.filter(comment=fourth).exists()


@pytest.mark.django_db
def test_the_fourth_mention_in_an_hour_by_one_fan_is_not_mailed(concern, clock):
    fan = make_user("cheongsan", email="cheongsan@example.com")
    EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=True)
    mention_again_and_again(make_user("troll"), concern, clock, 4)
    assert [message.to for message in outbox()] == [["cheongsan@example.com"]] * 3


@pytest.mark.django_db
def test_a_mention_over_the_limit_still_links_to_the_fan(concern, clock):
    fan = make_user("cheongsan")
    *_, fourth = mention_again_and_again(make_user("troll"), concern, clock, 4)
    assert f'href="{fan.get_absolute_url()}"' in fourth.html


@pytest.mark.django_db
def test_the_mention_limit_is_per_author(concern, clock):
    fan = make_user("cheongsan")
    mention_again_and_again(make_user("troll"), concern, clock, 3)
    post(make_user("onjo"), concern, "@cheongsan what do you think?")
    assert mentions_of(fan).count() == 4


@pytest.mark.django_db
def test_the_mention_limit_is_per_fan_mentioned(concern, clock):
    author = make_user("troll")
    mention_again_and_again(author, concern, clock, 3)
    onjo = make_user("onjo")
    clock.advance(60)
    post(author, concern, "@onjo what do you think?")
    assert mentions_of(onjo).count() == 1


@pytest.mark.django_db
def test_mentions_notify_again_an_hour_later(concern, clock):
    fan, author = make_user("cheongsan"), make_user("troll")
    mention_again_and_again(author, concern, clock, 3)
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    mention_again_and_again(author, concern, clock, 1)
    assert mentions_of(fan).count() == 4


@pytest.mark.django_db
def test_an_edit_over_the_limit_notifies_nobody(concern, clock):
    fan, author = make_user("cheongsan"), make_user("troll")
    mention_again_and_again(author, concern, clock, 3)
    clock.advance(60)
    comment = post(author, concern, "No names here.")
    with on_commit_now:
        edit_comment(author, comment, body="@cheongsan now", is_spoiler=False, stance="undecided")
    assert mentions_of(fan).count() == 3


@pytest.mark.django_db
def test_the_mention_limit_is_the_setting(concern, clock, settings):
    settings.MENTIONS_OF_A_FAN_PER_HOUR = 1
    fan = make_user("cheongsan")
    mention_again_and_again(make_user("troll"), concern, clock, 2)
    assert mentions_of(fan).count() == 1


# --- going back -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migrating_back_past_mentions_and_notices_works_with_them_in_the_table(concern):
    # The older constraint allows replies and news only: the newer kinds must go first.
    fan = make_user("cheongsan")
    post(make_user("gwinam"), concern, "Ask @cheongsan")
    hidden = make_comment(concern, author=fan, body="Rude words")
    decisions.hide_comments([hidden], make_moderator(), Rule.values[0], "")
    assert set(Notification.objects.values_list("kind", flat=True)) == {"mention", "moderation"}
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("notifications", "0005_mail_preferences")])
    MigrationExecutor(connection).migrate(latest)
    assert not Notification.objects.exists()
