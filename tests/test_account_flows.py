"""Accounts through django-allauth, end to end with Django's test outbox.

Sign-up needs an email and mails a confirmation link; log-in takes a username
or an email; a forgotten password is reset by a link that works once; an
email change is confirmed at the new address and noticed at the old one.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, make_user
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def link_in(message):
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def make_fan_with_email(username="nam_onjo", email="onjo@example.com", verified=True):
    fan = make_user(username, email=email)
    EmailAddress.objects.create(user=fan, email=email, primary=True, verified=verified)
    return fan


def sign_up(client, username="lee_cheongsan", email="cheongsan@example.com"):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_14_or_older": "on",
        },
    )


# Sign-up and confirmation.


def test_signup_without_an_email_is_refused(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "no_mail", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not User.objects.exists()


def test_signup_mails_a_confirmation_link_and_signs_nobody_in_yet(client):
    response = sign_up(client)
    assert response.url == "/accounts/confirm-email/"
    assert not client.get("/").context["user"].is_authenticated
    (message,) = outbox()
    assert message.to == ["cheongsan@example.com"]
    assert link_in(message).startswith("/accounts/confirm-email/")
    assert not EmailAddress.objects.get().verified


def test_signup_leads_to_a_page_that_says_to_follow_the_link(client):
    page = client.get(sign_up(client).url)
    assert "Confirmation email sent to cheongsan@example.com." in page.text
    assert "Follow the link in it to confirm the address, and you are signed in" in page.text


def test_the_confirmation_link_confirms_the_address_on_post(client):
    sign_up(client)
    link = link_in(outbox()[0])
    page = Client().get(link)
    assert page.status_code == 200
    assert "cheongsan@example.com" in page.text
    assert not EmailAddress.objects.get().verified
    Client().post(link)
    assert EmailAddress.objects.get().verified


def test_following_the_link_in_the_browser_that_signed_up_signs_the_fan_in(client):
    sign_up(client)
    client.post(link_in(outbox()[0]))
    assert client.get("/").context["user"].username == "lee_cheongsan"


def test_following_the_link_elsewhere_confirms_and_asks_for_the_password(client):
    sign_up(client)
    elsewhere = Client()
    response = elsewhere.post(link_in(outbox()[0]))
    assert response.url.startswith("/accounts/login/")
    assert not elsewhere.get("/").context["user"].is_authenticated
    logged_in = Client().post("/accounts/login/", {"login": "lee_cheongsan", "password": PASSWORD})
    assert logged_in.url == "/"


# Log-in.


def test_log_in_by_username(client):
    make_fan_with_email()
    response = client.post("/accounts/login/", {"login": "nam_onjo", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "nam_onjo"


def test_log_in_by_email(client):
    make_fan_with_email()
    response = client.post("/accounts/login/", {"login": "onjo@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "nam_onjo"


def test_a_form_that_still_sends_username_logs_in(client):
    make_fan_with_email()
    response = client.post("/accounts/login/", {"username": "nam_onjo", "password": PASSWORD})
    assert response.status_code == 302


def test_an_account_from_before_email_addresses_still_logs_in(client):
    make_user("old_timer")
    response = client.post("/accounts/login/", {"login": "old_timer", "password": PASSWORD})
    assert response.status_code == 302


def test_the_login_page_offers_the_password_reset(client):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").text


# Password reset.


def test_reset_answers_the_same_whether_or_not_the_address_has_an_account(client):
    make_fan_with_email()
    known = client.post("/accounts/password/reset/", {"email": "onjo@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert {tuple(m.to) for m in outbox()} == {("onjo@example.com",), ("nobody@example.com",)}


def test_reset_link_sets_a_new_password_once(client):
    make_fan_with_email()
    client.post("/accounts/password/reset/", {"email": "onjo@example.com"})
    link = link_in(outbox()[0])
    form = client.get(link, follow=True)
    assert form.status_code == 200
    action = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert User.objects.get().check_password(NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "The password reset link was invalid" in again.text


def test_password_change_needs_the_old_password(client):
    fan = make_fan_with_email()
    client.force_login(fan)
    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "Please type your current password." in wrong.text
    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    fan.refresh_from_db()
    assert fan.check_password(NEW_PASSWORD)


# Email change.


def test_an_email_change_is_confirmed_at_the_new_address_and_noticed_at_the_old(client):
    fan = make_fan_with_email()
    client.force_login(fan)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    (confirm,) = outbox()
    assert confirm.to == ["new@example.com"]
    assert EmailAddress.objects.get(email="onjo@example.com").primary
    Client().post(link_in(confirm))
    fan.refresh_from_db()
    assert fan.email == "new@example.com"
    assert outbox()[-1].to == ["onjo@example.com"]


def test_failed_log_ins_by_email_lock_out_as_by_username(client, settings):
    make_fan_with_email()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/accounts/login/", {"login": "Onjo@Example.com", "password": "wrong"}
        )
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.text
    # Locked out even with the right password, until the cool-off ends.
    right = client.post("/accounts/login/", {"login": "onjo@example.com", "password": PASSWORD})
    assert right.status_code == 429


def test_signup_needs_the_fan_to_be_14_or_older(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "young_one",
            "email": "young@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "You need to be 14 or older to join." in response.text
    assert not User.objects.exists()
