"""Mail: queued by the site, sent by the task worker, in the fan's language, and stoppable."""

import datetime
import email.policy
import io
import re
import smtplib
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from news.publishing import publish_update
from notifications.delivery import deliver_update_notifications, follow_concern
from notifications.mail import unsubscribe_token
from notifications.models import MailFrequency, MailPreference, Notification
from notifications.tasks import send_digests
from outbox import schedule
from outbox.mail import deliver
from tests.factories import make_reader, make_reply_to, make_update, make_user, signup_form
from tests.mailbox import SEND, outbox, run_worker, time_passes


def queue_a_mail():
    deliver.enqueue(
        {
            "subject": "Hi",
            "body": "Body",
            "html": "",
            "from_email": "a@example.com",
            "to": ["b@example.com"],
            "headers": {},
        }
    )


def link_in(message, fragment):
    return next(word for word in message.body.split() if fragment in word)


# Queued, never sent inside a request.


@pytest.mark.django_db
def test_a_password_reset_is_queued_not_sent_during_the_request(client):
    make_reader("onjo")
    client.post(reverse("account_reset_password"), {"email": "onjo@example.com"})
    assert mail.outbox == []
    assert [m.to for m in outbox()] == [["onjo@example.com"]]


@pytest.mark.django_db
def test_sign_up_answers_while_smtp_is_down(client):
    with mock.patch(SEND, side_effect=ConnectionRefusedError):
        response = client.post(reverse("account_signup"), signup_form("suhyeok"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_send_that_fails_is_tried_again_later_and_nothing_is_lost():
    queue_a_mail()
    with mock.patch(SEND, side_effect=ConnectionRefusedError):
        run_worker()
        time_passes()
        run_worker()
    assert mail.outbox == []
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.args_kwargs["args"][1] == 3
    time_passes()
    assert [m.subject for m in outbox()] == ["Hi"]


@pytest.mark.django_db
def test_a_retry_waits_for_its_delay(settings):
    settings.MAIL_RETRY_DELAYS = [datetime.timedelta(hours=1)]
    queue_a_mail()
    with mock.patch(SEND, side_effect=smtplib.SMTPServerDisconnected):
        run_worker()
    assert outbox() == []
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > timezone.now() + datetime.timedelta(minutes=59)


@pytest.mark.django_db
def test_a_send_is_given_up_after_the_last_delay(settings):
    settings.MAIL_RETRY_DELAYS = [datetime.timedelta(minutes=1)]
    queue_a_mail()
    with mock.patch(SEND, side_effect=ConnectionRefusedError):
        run_worker()
        time_passes()
        run_worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


@pytest.mark.django_db
def test_an_address_the_server_refuses_is_not_tried_again():
    refused = smtplib.SMTPRecipientsRefused({"b@example.com": (550, b"No such user")})
    queue_a_mail()
    with mock.patch(SEND, side_effect=refused):
        run_worker()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert DBTaskResult.objects.get().return_value == "refused"


# Replies.


@pytest.mark.django_db
def test_a_reply_is_mailed_at_once_by_default(concern):
    fan = make_reader()
    make_reply_to(fan, concern)
    (message,) = outbox()
    assert message.to == ["cheongsan@example.com"]
    assert "An answer." in message.body
    assert concern.title in message.subject


@pytest.mark.django_db
def test_a_reply_mail_has_a_text_and_an_html_part(concern):
    make_reply_to(make_reader(), concern, body="Both parts <b>please</b>.")
    (message,) = outbox()
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Both parts &lt;b&gt;please&lt;/b&gt;." in html
    assert "Both parts <b>please</b>." in message.body


@pytest.mark.django_db
def test_a_reply_mail_links_to_the_reply_on_the_site(concern, settings):
    settings.SITE_URL = "https://fears.example"
    reply = make_reply_to(make_reader(), concern)
    (message,) = outbox()
    assert f"https://fears.example{reply.get_absolute_url()}" in message.body


@pytest.mark.django_db
def test_a_reply_mail_carries_one_click_unsubscribe_headers(concern, settings):
    settings.SITE_URL = "https://fears.example"
    make_reply_to(make_reader(), concern)
    (message,) = outbox()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://fears.example/notifications/unsubscribe/")
    assert url in message.body


@pytest.mark.django_db
def test_a_spoiler_reply_is_masked_in_both_parts(concern):
    make_reply_to(make_reader(), concern, body="Nam-ra survives.", is_spoiler=True)
    (message,) = outbox()
    assert "Nam-ra" not in message.body
    assert "Nam-ra" not in message.alternatives[0].content
    assert "Spoiler hidden" in message.body


@pytest.mark.django_db
def test_a_reply_mail_is_in_the_fans_language(concern):
    make_reply_to(make_reader(language="ko"), concern)
    (message,) = outbox()
    assert "알림" in message.body or "안녕하세요" in message.body


@pytest.mark.django_db
def test_no_mail_for_replies_when_the_fan_said_never(concern):
    make_reply_to(make_reader(replies=MailFrequency.NEVER), concern)
    assert outbox() == []


@pytest.mark.django_db
def test_no_mail_to_an_unconfirmed_address(concern):
    fan = make_user("unconfirmed", email="unconfirmed@example.com")
    EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=False)
    make_reply_to(fan, concern)
    assert outbox() == []


@pytest.mark.django_db
def test_no_mail_to_a_demo_fan(concern):
    fan = make_reader()
    fan.is_demo = True
    fan.save()
    make_reply_to(fan, concern)
    assert outbox() == []


# News and digests.


def follow_then_publish(fan, concern, **fields):
    follow_concern(fan, concern)
    update = make_update(
        effects=[(concern, "confirms")], status="draft", published_at=None, **fields
    )
    publish_update(update)
    return update


@pytest.mark.django_db
def test_news_waits_for_the_digest_by_default(concern):
    follow_then_publish(make_reader(), concern)
    assert outbox() == []
    send_digests.call()
    (message,) = outbox()
    assert "Season 2 news" in message.body


@pytest.mark.django_db
def test_a_digest_is_sent_once(concern):
    follow_then_publish(make_reader(), concern)
    send_digests.call()
    send_digests.call()
    assert len(outbox()) == 1


@pytest.mark.django_db
def test_a_digest_gathers_replies_and_news(concern):
    fan = make_reader(replies=MailFrequency.DIGEST)
    make_reply_to(fan, concern)
    follow_then_publish(fan, concern, title="Filming wraps")
    assert outbox() == []
    send_digests.call()
    (message,) = outbox()
    assert "An answer." in message.body and "Filming wraps" in message.body


@pytest.mark.django_db
def test_news_read_on_the_site_is_left_out_of_the_digest(concern):
    fan = make_reader()
    follow_then_publish(fan, concern)
    deliver_update_notifications(fan)
    Notification.objects.filter(recipient=fan).update(read_at=timezone.now())
    send_digests.call()
    assert outbox() == []


@pytest.mark.django_db
def test_news_is_mailed_at_publication_to_fans_who_want_it_at_once(concern):
    follow_then_publish(make_reader(updates=MailFrequency.INSTANT), concern, title="Cast confirmed")
    (message,) = outbox()
    assert "Cast confirmed" in message.subject


@pytest.mark.django_db
def test_scheduled_news_is_mailed_only_when_it_goes_public(concern):
    later = timezone.now() + datetime.timedelta(days=1)
    fan = make_reader(updates=MailFrequency.INSTANT)
    follow_concern(fan, concern)
    update = make_update(effects=[(concern, "confirms")], status="draft", published_at=None)
    publish_update(update, at=later)
    assert outbox() == []
    time_passes()
    with mock.patch(
        "django.utils.timezone.now", return_value=later + datetime.timedelta(minutes=1)
    ):
        run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_news_taken_back_before_it_goes_out_is_not_mailed(concern):
    fan = make_reader(updates=MailFrequency.INSTANT)
    follow_concern(fan, concern)
    update = make_update(effects=[(concern, "confirms")], status="draft", published_at=None)
    publish_update(update, at=timezone.now() + datetime.timedelta(hours=1))
    publish_update(update, at=timezone.now() + datetime.timedelta(hours=2))
    time_passes()
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(hours=3)
    ):
        run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_digest_queues_its_next_run_for_tomorrow():
    send_digests.call()
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.task_path == send_digests.module_path
    assert timezone.now() < waiting.run_after <= timezone.now() + datetime.timedelta(days=1)


# The schedule.


@pytest.mark.django_db
def test_schedule_tasks_queues_each_daily_task_once(settings):
    call_command("schedule_tasks")
    call_command("schedule_tasks")
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == sorted(settings.DAILY_TASKS)


def test_the_next_daily_run_is_at_the_hour_after_now(settings):
    settings.DAILY_TASKS_HOUR = 8
    now = timezone.make_aware(datetime.datetime(2026, 11, 28, 9, 30))
    assert schedule.next_run(now) == timezone.make_aware(datetime.datetime(2026, 11, 29, 8, 0))


def test_the_next_daily_run_is_today_before_the_hour(settings):
    settings.DAILY_TASKS_HOUR = 8
    now = timezone.make_aware(datetime.datetime(2026, 11, 28, 7, 0))
    assert schedule.next_run(now) == timezone.make_aware(datetime.datetime(2026, 11, 28, 8, 0))


# Unsubscribing.


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_no_session_and_no_csrf_token():
    fan = make_reader()
    browserless = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(fan, ["reply"])])
    response = browserless.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert MailPreference.objects.get(user=fan).replies == MailFrequency.NEVER


@pytest.mark.django_db
def test_opening_the_unsubscribe_link_only_asks(client):
    fan = make_reader()
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(fan, ["update"])])
    response = client.get(url)
    assert response.status_code == 200
    assert not MailPreference.objects.filter(user=fan).exists()


@pytest.mark.django_db
def test_unsubscribing_stops_only_the_kinds_in_the_link(client):
    fan = make_reader()
    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(fan, ["update"])]))
    preference = MailPreference.objects.get(user=fan)
    assert (preference.replies, preference.updates) == (MailFrequency.INSTANT, MailFrequency.NEVER)


@pytest.mark.django_db
def test_the_unsubscribe_link_from_a_mail_works(concern, client):
    make_reply_to(make_reader(), concern)
    (message,) = outbox()
    client.post(
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )
    assert MailPreference.objects.get(user__username="cheongsan").replies == MailFrequency.NEVER


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    ["nonsense", signing.dumps({"user": 1, "kinds": ["reply"]}, salt="other"), "a" * 5000],
)
def test_a_made_up_unsubscribe_link_is_refused_clearly(client, token):
    make_reader()
    response = client.post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert b"This link does not work" in response.content


@pytest.mark.django_db
def test_an_unsubscribe_link_cannot_be_edited_to_another_fan(client):
    fan, other = make_reader("one"), make_reader("two")
    token = unsubscribe_token(fan, ["reply"]).replace(f'"user":{fan.pk}', f'"user":{other.pk}')
    client.post(reverse("notifications:unsubscribe", args=[token]))
    assert not MailPreference.objects.filter(user=other).exists()


# The settings page.


@pytest.mark.django_db
def test_mail_settings_need_a_log_in(client):
    response = client.get(reverse("notifications:mail-settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_bad_choice_is_refused_with_a_message(client):
    fan = make_reader()
    client.force_login(fan)
    response = client.post(
        reverse("notifications:mail-settings"),
        {"replies": "hourly", "updates": "never", "language": "xx"},
    )
    assert response.status_code == 200
    assert not MailPreference.objects.filter(user=fan).exists()
    assert b"is-invalid" in response.content


@pytest.mark.django_db
def test_signing_up_in_korean_makes_korean_mail(client):
    client.post(reverse("account_signup"), signup_form("gyeongsu"), HTTP_ACCEPT_LANGUAGE="ko")
    assert MailPreference.objects.get(user__username="gyeongsu").language == "ko"


def test_every_daily_task_is_a_task(settings):
    from django.utils.module_loading import import_string

    for path in settings.DAILY_TASKS:
        assert import_string(path).module_path == path


@pytest.mark.django_db
def test_a_used_unsubscribe_link_says_the_mail_is_stopped(client):
    fan = make_reader(replies=MailFrequency.NEVER)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(fan, ["reply"])])
    assert "You will get no more of these emails" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_footer_names_the_kinds_in_words(concern):
    make_reply_to(make_reader(), concern)
    (message,) = outbox()
    assert "settings for: Reply to your comment." in message.body
    assert "['" not in message.body


@pytest.mark.django_db
def test_the_unsubscribe_header_goes_out_as_a_plain_url(concern, settings):
    settings.SITE_URL = "https://fears-of-season-two.example.org"
    make_reply_to(make_reader(), concern)
    (message,) = outbox()
    wire = message.message(policy=email.policy.SMTP).as_bytes()
    header = re.search(rb"^List-Unsubscribe: (.*?)\r\n(?! )", wire, re.M | re.S).group(1)
    assert re.fullmatch(rb"<https://fears-of-season-two\.example\.org/notifications/\S+/>", header)


@pytest.mark.django_db
def test_development_mail_prints_links_whole_and_korean_readable(concern, settings):
    stream = io.StringIO()
    settings.MAILERS = {"default": {"BACKEND": "outbox.console.EmailBackend", "OPTIONS": {}}}
    make_reply_to(make_reader(language="ko"), concern)
    with mock.patch("sys.stdout", stream):
        run_worker()
    printed = stream.getvalue()
    assert "안녕하세요" in printed
    assert re.search(r"^http://\S+/notifications/unsubscribe/\S+/$", printed, re.M)


def test_links_in_mail_follow_make_runs_port():
    from tests.test_seed_and_settings import run_python

    result = run_python("import aouad.settings.dev as s; print(s.SITE_URL)", PORT="8050")
    assert result.stdout.strip() == "http://127.0.0.1:8050"
