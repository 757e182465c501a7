"""Mail end to end: a real SMTP server on loopback, the task worker, and a browser.

Nothing here reads Django's test outbox. Mail is queued by the site, sent by
`manage.py db_worker` through the SMTP mailer to an aiosmtpd sink, and read
back from the sink as a mail program would: its links are opened in the
browser, its one-click unsubscribe is posted by a client with no session.
"""

import json
import re
import time
import urllib.request
from email.utils import getaddresses

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings as django_settings
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from accounts.models import User
from discussions.authoring import post_comment
from notifications.models import MailFrequency, MailPreference, Notification
from tests.browser.test_journeys import comment_card, log_in
from tests.factories import PASSWORD, make_concern, make_user

# The sink needs aiosmtpd (requirements-test.txt); without it, skip rather than fail.
pytest.importorskip("aiosmtpd")

from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-fresh-passphrase-for-seoul-77"
USERNAME = "on_jo_mail"
FIRST_ADDRESS = "onjo@example.com"
SECOND_ADDRESS = "onjo.new@example.com"


@pytest.fixture
def js():
    # One long journey: with JavaScript on only (the no-JS paths have their own journeys).
    return True


class Sink(SmtpSink):
    """An SmtpSink that may be stopped twice: the journey stops it to play SMTP down."""

    running = False

    def start(self):
        super().start()
        self.running = True

    def stop(self):
        if self.running:
            super().stop()
            self.running = False


@pytest.fixture
def sink(settings, live_server):
    """A loopback SMTP server that Django's mail goes to; links in mail open on the live server."""
    smtp = Sink()
    smtp.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp.port, "use_tls": False, "timeout": 5},
        }
    }
    settings.SITE_URL = live_server.url
    yield smtp
    smtp.stop()


@pytest.fixture
def concern(db):
    return make_concern(title="Tired tropes", slug="tired-tropes")


# The worker and the mailbox.


def run_worker():
    """Run every task that is due, as `manage.py db_worker --batch` does, then return."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


class Mailbox:
    """What the sink received, read in order: each call returns only the new mail."""

    def __init__(self, smtp):
        self.smtp = smtp
        self.read = 0

    def switch_to(self, smtp):
        self.smtp = smtp
        self.read = 0

    def deliver(self, expected):
        """Run the worker and return the `expected` number of mails it sent, no more."""
        run_worker()
        messages = self.smtp.wait_for(self.read + expected, seconds=10)[self.read :]
        assert len(messages) == expected, (
            f"Expected {expected} new mail(s), got {describe(messages)}"
        )
        self.read += expected
        return messages

    def one_to(self, address, subject):
        """Run the worker; exactly one new mail, to this address, with this subject."""
        (message,) = self.deliver(1)
        assert recipients(message) == [address], f"Mail went to {recipients(message)}"
        expected = f"{django_settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"
        assert message["Subject"] == expected, f"Subject {message['Subject']!r}, not {expected!r}"
        return message

    def nothing_new(self, why):
        run_worker()
        extra = self.smtp.messages[self.read :]
        assert extra == [], f"{why}, yet mail arrived: {describe(extra)}"


def recipients(message):
    return [address for _name, address in getaddresses(message.get_all("To", []))]


def describe(messages):
    return [(recipients(m), m["Subject"]) for m in messages]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def path_in(message, fragment):
    """The path of the first link in the mail's text that contains fragment."""
    found = re.search(rf"https?://[^/\s]+({re.escape(fragment)}\S*)", text_of(message))
    assert found, f"No link with {fragment!r} in the mail:\n{text_of(message)}"
    return found.group(1)


def code_for(secret):
    """The authenticator app's code now; never one about to expire on the way."""
    while mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD < 2:
        time.sleep(0.2)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


# The journey.


def sign_up_and_confirm(page, mailbox):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Email").fill(FIRST_ADDRESS)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("I am 14 or older").check()
    page.get_by_role("button", name="Sign up").click()
    # Not signed in until the mailed link is followed.
    expect(page.locator("h1")).to_have_text("Check your mail")
    expect(page.locator(".messages")).to_contain_text(f"Confirmation email sent to {FIRST_ADDRESS}")

    confirmation = mailbox.one_to(FIRST_ADDRESS, "Please Confirm Your Email Address")
    page.goto(path_in(confirmation, "/accounts/confirm-email/"))
    page.locator("main form").get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text(f"You have confirmed {FIRST_ADDRESS}")
    expect(page.locator(".messages")).to_contain_text(f"Successfully signed in as {USERNAME}.")
    expect(page.locator(".confirm-email-banner")).to_have_count(0)
    assert EmailAddress.objects.get(email=FIRST_ADDRESS).verified, "The address is not verified"


def reset_the_password(page, mailbox):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").first.click()
    page.locator("#id_email").fill(FIRST_ADDRESS)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.locator("main")).to_contain_text("sent you an email")

    reset = mailbox.one_to(FIRST_ADDRESS, "Password Reset Email")
    page.goto(path_in(reset, "/accounts/password/reset/key/"))
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change Password").click()
    expect(page.locator("main")).to_contain_text("Your password is now changed.")
    # allauth tells the account's address that its password was reset.
    mailbox.one_to(FIRST_ADDRESS, "Password Reset")

    page.goto("/accounts/login/")
    page.locator("#id_login").fill(USERNAME)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    expect(page.locator("main")).to_contain_text("not correct")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    expect(page.locator(".messages")).to_contain_text(f"Successfully signed in as {USERNAME}.")


def change_the_email(page, mailbox):
    page.goto("/accounts/email/")
    page.locator("#id_email").fill(SECOND_ADDRESS)
    page.locator("main form").get_by_role("button", name="Change Email").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Confirmation email sent to {SECOND_ADDRESS}"
    )
    # The pending change's own page must not trip the CSP (no inline style).
    assert page.errors == [], page.errors
    assert EmailAddress.objects.get(email=FIRST_ADDRESS).primary, "Changed before confirmation"

    confirmation = mailbox.one_to(SECOND_ADDRESS, "Please Confirm Your Email Address")
    page.goto(path_in(confirmation, "/accounts/confirm-email/"))
    page.locator("main form").get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text(f"You have confirmed {SECOND_ADDRESS}")
    addresses = list(EmailAddress.objects.values_list("email", "primary", "verified"))
    assert addresses == [(SECOND_ADDRESS, True, True)], f"Addresses after the change: {addresses}"
    # ...and the old address hears of it, in case it was not its owner's doing.
    notice = mailbox.one_to(FIRST_ADDRESS, "Email Changed")
    assert SECOND_ADDRESS in text_of(notice), "The notice does not name the new address"


def export_the_data(page):
    page.goto("/accounts/export/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename.startswith(f"season2-fear-check-{USERNAME}-")
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["profile"]["username"] == USERNAME, f"Export of {data['profile']}"
    assert [row["email"] for row in data["profile"]["email_addresses"]] == [SECOND_ADDRESS]


def receive_a_reply(page, mailbox, concern, live_server):
    page.goto(concern.get_absolute_url())
    page.get_by_label("Your comment").fill("The school lens is the whole point.")
    page.get_by_role("button", name="Post comment").click()
    expect(comment_card(page, "The school lens").first).to_be_visible()
    mine = concern.comments.get(author__username=USERNAME)

    other = make_user("ha_nam")
    post_comment(other, concern, "Agreed, Cheongsan's story proves it.", parent=mine)

    reply = mailbox.one_to(SECOND_ADDRESS, "ha_nam replied to you on “Tired tropes”")
    kinds = sorted(part.get_content_type() for part in reply.walk() if not part.is_multipart())
    assert reply.get_content_type() == "multipart/alternative", reply.get_content_type()
    assert kinds == ["text/html", "text/plain"], f"Mail parts: {kinds}"
    html = reply.get_body(preferencelist=("html",)).get_content()
    assert "Cheongsan" in html and "Cheongsan" in text_of(reply), "The reply is not quoted"

    unsubscribe = re.fullmatch(r"<(\S+)>", reply["List-Unsubscribe"])
    assert unsubscribe, f"List-Unsubscribe is {reply['List-Unsubscribe']!r}"
    url = unsubscribe.group(1)
    assert url.startswith(f"{live_server.url}/notifications/unsubscribe/"), url
    assert reply["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in text_of(reply), "The text has no unsubscribe link"

    # The reply is on the site too, and the mail's link to it opens there
    # (SITE_URL is the live server).
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("ha_nam")
    page.goto(path_in(reply, concern.get_absolute_url()))
    expect(comment_card(page, "Cheongsan's story").first).to_be_visible()
    return other, mine, url


def unsubscribe_with_one_post(url, mailbox, other, mine, concern):
    # What a mail program does for RFC 8058: one POST, no cookies, no CSRF token.
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200, answer.status
        page = answer.read().decode()
    assert "You will get no more of these emails" in page, page
    fan = User.objects.get(username=USERNAME)
    replies = MailPreference.objects.get(user=fan).replies
    assert replies == MailFrequency.NEVER, f"Replies mail is {replies!r} after unsubscribing"

    post_comment(other, concern, "And Nam-ra too.", parent=mine)
    mailbox.nothing_new("The fan unsubscribed from replies")
    on_site = Notification.objects.filter(recipient=fan).count()
    assert on_site == 2, f"{on_site} notifications: both replies should still show on the site"


def survive_smtp_down(open_page, mailbox):
    down = mailbox.smtp
    port = down.port
    down.stop()
    page = open_page()
    page.goto("/accounts/password/reset/")
    page.locator("#id_email").fill(SECOND_ADDRESS)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.locator("main")).to_contain_text("sent you an email")

    before = timezone.now()
    run_worker()
    assert len(down.messages) == mailbox.read, "Mail arrived while SMTP was down"
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="outbox.mail.deliver"
    )
    assert waiting.count() == 1, f"{waiting.count()} sends wait for a retry"
    retry = waiting.get()
    assert retry.run_after >= before + django_settings.MAIL_RETRY_DELAYS[0] - timezone.timedelta(
        seconds=5
    ), f"The retry waits only until {retry.run_after}"
    assert retry.args_kwargs["args"][1] == 2, "Not the second try"
    assert retry.args_kwargs["args"][0]["to"] == [SECOND_ADDRESS]

    # SMTP comes back on the same port; the retry's time comes.
    back = Sink(port=port)
    back.start()
    try:
        mailbox.switch_to(back)
        mailbox.nothing_new("The retry is not due yet")
        waiting.update(run_after=timezone.now())
        reset = mailbox.one_to(SECOND_ADDRESS, "Password Reset Email")
    finally:
        back.stop()
    # The mail that waited out the outage still works.
    page.goto(path_in(reset, "/accounts/password/reset/key/"))
    expect(page.locator("#id_password1")).to_be_visible()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()


def delete_the_account(page, concern):
    page.goto("/accounts/delete/")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".messages")).to_contain_text("Your account has been deleted.")
    assert not User.objects.filter(username=USERNAME).exists(), "The account is still there"
    assert not EmailAddress.objects.filter(email=SECOND_ADDRESS).exists()

    page.goto(concern.get_absolute_url())
    card = comment_card(page, "The school lens").first
    expect(card).to_contain_text("[deleted account]")
    expect(card).not_to_contain_text(USERNAME)


def test_a_fans_mail_through_a_real_smtp_server(open_page, sink, concern, live_server):
    mailbox = Mailbox(sink)
    page = open_page()
    sign_up_and_confirm(page, mailbox)
    reset_the_password(page, mailbox)
    change_the_email(page, mailbox)
    export_the_data(page)
    other, mine, unsubscribe_url = receive_a_reply(page, mailbox, concern, live_server)
    unsubscribe_with_one_post(unsubscribe_url, mailbox, other, mine, concern)
    survive_smtp_down(open_page, mailbox)
    delete_the_account(page, concern)
    assert page.errors == []


def test_staff_enrol_in_totp_before_the_admin_opens(open_page, sink, settings):
    settings.STAFF_REQUIRE_2FA = True
    admin = make_user("admin_sora", email="sora@example.com", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    mailbox = Mailbox(sink)
    page = open_page()
    log_in(page, admin)

    page.goto("/admin/")
    # Refused: sent to enrol, and allauth first asks for the password again.
    expect(page.locator(".messages")).to_contain_text(
        "Staff set up two-factor authentication before the admin opens."
    )
    expect(page.locator("#site-name")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2F"))
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fadmin%2F$"))

    # The first authenticator also needs the code mailed to the account.
    mailed = mailbox.one_to(admin.email, "Your code to set up two-factor authentication")
    page.locator("#id_mailed_code").fill(re.search(r"\b(\d{8})\b", text_of(mailed))[1])
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(code_for(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".messages")).to_contain_text("Authenticator app activated.")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    # Told of both: the app added, and the recovery codes on screen.
    told = sorted(message["Subject"] for message in mailbox.deliver(2))
    prefix = django_settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    assert told == [f"{prefix}Authenticator App Activated", f"{prefix}Recovery codes shown"]

    # The app's code just entered counts: the admin opens.
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    # Signed in again, the password alone is not enough: the code comes before the site.
    page.context.clear_cookies()
    log_in(page, admin)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    recovery = Authenticator.objects.get(user=admin, type=Authenticator.Type.RECOVERY_CODES)
    page.locator("#id_code").fill(recovery.wrap().get_unused_codes()[0])
    page.locator("main form").get_by_role("button", name="Sign In").click()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_be_visible()
    assert page.errors == []
