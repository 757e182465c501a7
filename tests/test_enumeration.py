"""Whether an address has an account is told only to that address, never to whoever asks.

Each form that takes an address (sign-up, log-in, password reset, adding an
address, sending its link again) is asked twice, once with an address in use
and once with a free one, and the two answers must be the same: status,
redirect, the page it leads to (the CSRF token and the address typed aside)
and the cookies set.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.factories import make_user, signup_form, with_confirmed_address
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db

IN_USE = "onjo@example.com"
FREE = "nobody@example.com"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def owner():
    return with_confirmed_address(
        make_user("nam_onjo", email=IN_USE, email_confirmation_required=True)
    )


def page(text, address, name=None):
    text = CSRF_TOKEN.sub("CSRF", text).replace(address, "ADDRESS")
    return text.replace(name, "NAME") if name else text


def cookies_set(response):
    """Each cookie's name and attributes; values are random (session, CSRF) or shown on the page."""
    return {
        name: {key: value for key, value in morsel.items() if value and key != "expires"}
        for name, morsel in response.cookies.items()
    }


def answer(client, response, address, name):
    """What a prober sees of a POST's answer: all of it, and of the page it leads to."""
    seen = {
        "status": response.status_code,
        "location": response.get("Location"),
        "body": page(response.content.decode(), address, name),
        "cookies": cookies_set(response),
    }
    if response.status_code == 302:
        followed = client.get(response["Location"])
        seen["then"] = (followed.status_code, page(followed.content.decode(), address, name))
        seen["then cookies"] = cookies_set(followed)
    return seen


def post(path, data, address, fan=None):
    """POST as a browser would, the form read first; signed in as fan if one is given."""
    client = Client()
    if fan is not None:
        client.force_login(fan)
    client.get(path)
    return answer(client, client.post(path, data), address, fan and fan.username)


# Sign-up.


def test_signup_answers_an_address_in_use_exactly_as_a_new_one(owner):
    taken = post("/accounts/signup/", signup_form("copycat", email=IN_USE), IN_USE)
    new = post("/accounts/signup/", signup_form("newcomer", email=FREE), FREE)
    assert taken == new
    assert taken["location"] == "/accounts/confirm-email/"


def test_signup_with_an_address_in_use_makes_no_account(owner):
    post("/accounts/signup/", signup_form("copycat", email=IN_USE), IN_USE)
    assert not User.objects.filter(username="copycat").exists()
    assert list(EmailAddress.objects.values_list("email", "user")) == [(IN_USE, owner.pk)]


def test_signup_with_an_address_in_use_mails_its_owner_how_to_reset(owner):
    post("/accounts/signup/", signup_form("copycat", email=IN_USE), IN_USE)
    assert mail.outbox == []  # queued for the task worker, as all mail is
    (message,) = outbox()
    assert message.to == [IN_USE]
    assert message.subject == ("[Season 2 Fear Check] Someone tried to sign up with your address")
    assert "tried to sign up on testserver with this address, onjo@example.com" in message.body
    assert re.search(r"^http://testserver/accounts/password/reset/$", message.body, re.M)
    assert "/accounts/confirm-email/" not in message.body


def test_signup_with_an_address_in_use_is_answered_in_the_same_time(owner, monkeypatch):
    # Making an account hashes its password, which takes long by design.
    hashed = []
    encode = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *args: hashed.append(1) or encode(self, *args)
    )
    post("/accounts/signup/", signup_form("copycat", email=IN_USE), IN_USE)
    for_taken = len(hashed)
    post("/accounts/signup/", signup_form("newcomer", email=FREE), FREE)
    assert for_taken == len(hashed) - for_taken == 1


def test_a_username_taken_is_said_whatever_the_address(owner):
    taken = post("/accounts/signup/", signup_form("nam_onjo", email=IN_USE), IN_USE)
    new = post("/accounts/signup/", signup_form("nam_onjo", email=FREE), FREE)
    assert taken == new
    assert taken["status"] == 200
    assert "That username is taken." in taken["body"]


def test_signup_with_an_address_in_use_counts_against_the_daily_limit(owner, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "1/d"}
    post("/accounts/signup/", signup_form("copycat", email=IN_USE), IN_USE)
    refused = post("/accounts/signup/", signup_form("newcomer", email=FREE), FREE)
    assert refused["status"] == 429
    assert not User.objects.filter(username="newcomer").exists()


# Log-in, password reset, and the address page's own forms.


def test_log_in_answers_a_wrong_password_alike_for_an_address_in_use_and_a_free_one(owner):
    data = {"password": "not-the-password"}
    taken = post("/accounts/login/", {**data, "login": IN_USE}, IN_USE)
    free = post("/accounts/login/", {**data, "login": FREE}, FREE)
    assert taken == free
    assert "not correct" in taken["body"]


def test_password_reset_answers_alike_for_an_address_in_use_and_a_free_one(owner):
    taken = post("/accounts/password/reset/", {"email": IN_USE}, IN_USE)
    free = post("/accounts/password/reset/", {"email": FREE}, FREE)
    assert taken == free
    assert taken["location"] == "/accounts/password/reset/done/"


def test_sending_the_link_again_answers_alike_for_an_address_in_use_and_a_free_one(owner):
    data = {"action_send": ""}
    taken = post("/accounts/email/", {**data, "email": IN_USE}, IN_USE, make_user())
    free = post("/accounts/email/", {**data, "email": FREE}, FREE, make_user())
    assert taken == free
    assert outbox() == []


def test_changing_to_an_address_in_use_answers_as_to_a_free_one(owner):
    data = {"action_add": ""}
    taken = post("/accounts/email/", {**data, "email": IN_USE}, IN_USE, make_user())
    free = post("/accounts/email/", {**data, "email": FREE}, FREE, make_user())
    assert taken == free
    assert "Confirmation email sent to ADDRESS." in taken["then"][1]
