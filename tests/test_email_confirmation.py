"""A fan logs in, votes and comments once their email is confirmed.

A new fan is signed in by following the link (tests/test_account_flows.py).
A fan signed in before confirming (a session from before verification was
mandatory, or an address staff unticked) reads every page, and is asked to
confirm before voting or commenting. Staff, demo fans and accounts from
before sign-up asked for an email do neither.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import EmailUnconfirmed
from discussions.models import Comment
from opinion.models import Vote
from opinion.voting import cast_vote
from tests.factories import (
    PASSWORD,
    make_concern,
    make_newcomer,
    make_superuser,
    make_user,
    signup_form,
)
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/concerns/x/"}


@pytest.fixture
def newcomer():
    return make_newcomer("new_onjo")


@pytest.fixture
def newcomer_client(newcomer):
    client = Client()
    client.force_login(newcomer)
    return client


def confirm(fan):
    EmailAddress.objects.filter(user=fan).update(verified=True)


def test_a_new_fan_reads_every_page(newcomer_client, concern):
    assert newcomer_client.get("/").status_code == 200
    assert newcomer_client.get(concern.get_absolute_url()).status_code == 200


def test_the_banner_names_the_address_and_offers_the_link_again(newcomer_client):
    html = newcomer_client.get("/").text
    assert "Confirm your email address to vote and comment: we sent a link to" in html
    assert "new_onjo@example.com" in html
    assert 'action="/accounts/confirm-email/again/"' in html


def test_a_fan_who_confirmed_sees_no_banner(newcomer, newcomer_client):
    confirm(newcomer)
    assert "Confirm your email address" not in newcomer_client.get("/").text


def test_the_concern_page_asks_for_confirmation_instead_of_the_forms(newcomer_client, concern):
    html = newcomer_client.get(concern.get_absolute_url()).text
    assert "Confirm your email address to vote: the link is in the mail we sent you." in html
    assert 'name="verdict"' not in html
    assert 'name="body"' not in html


def test_a_vote_before_confirming_is_refused_and_saves_nothing(newcomer_client, concern):
    response = newcomer_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 403
    assert "Confirm your email address" in response.text
    assert "Send the link again" in response.text
    assert not Vote.objects.exists()


def test_a_comment_before_confirming_is_refused_and_saves_nothing(newcomer_client, concern):
    response = newcomer_client.post(
        f"/concerns/{concern.slug}/comments/", {"body": "First!", "stance": "justified"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_an_inline_vote_before_confirming_reloads_into_the_banner(newcomer_client, concern):
    response = newcomer_client.post(
        f"/concerns/{concern.slug}/vote/", {"verdict": "justified"}, **HTMX
    )
    assert response["HX-Redirect"] == "http://testserver/concerns/x/"
    assert not Vote.objects.exists()


def test_the_operation_itself_refuses(newcomer, concern):
    with pytest.raises(EmailUnconfirmed):
        cast_vote(newcomer, concern, "justified")


def test_after_confirming_the_fan_votes(newcomer, newcomer_client, concern):
    confirm(newcomer)
    response = newcomer_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 302
    assert Vote.objects.get().user == newcomer


def test_accounts_from_before_sign_up_asked_for_an_email_still_take_part(client, concern):
    old_timer = make_user("old_timer")
    client.force_login(old_timer)
    client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "overblown"})
    assert Vote.objects.get().user == old_timer


def test_send_again_mails_the_link_and_goes_back(newcomer_client):
    response = newcomer_client.post("/accounts/confirm-email/again/", {"next": "/updates/"})
    assert response.url == "/updates/"
    (message,) = outbox()
    assert message.to == ["new_onjo@example.com"]
    assert "/accounts/confirm-email/" in message.body


def test_send_again_is_rate_limited(newcomer_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "confirmation-mail": "2/h"}
    for _ in range(3):
        response = newcomer_client.post("/accounts/confirm-email/again/", follow=True)
    assert len(outbox()) == 2
    assert "We sent that link several times already." in response.text


def test_send_again_needs_a_post_and_a_fan(client, newcomer_client):
    assert client.post("/accounts/confirm-email/again/").url.startswith("/accounts/login/")
    assert newcomer_client.get("/accounts/confirm-email/again/").url == "/accounts/email/"
    assert not outbox()


def test_signing_up_and_confirming_opens_voting(client, concern):
    client.post("/accounts/signup/", signup_form("jo_in", email="join@example.com"))
    refused = client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert refused.url.startswith("/accounts/login/")
    link = next(word for word in outbox()[0].body.split() if "/confirm-email/" in word)
    client.post(link.removeprefix("http://testserver"))
    client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert Vote.objects.get().user.username == "jo_in"


@pytest.fixture
def concern():
    return make_concern()


def test_the_confirmation_link_stands_alone_on_its_line(client, db):
    client.post(
        "/accounts/signup/",
        signup_form("jo_in", email="join@example.com"),
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    (message,) = outbox()
    assert re.search(r"^http://testserver/accounts/confirm-email/\S+/$", message.body, re.M)
    assert "Season 2 Fear Check" in message.body or "시즌 2" in message.body


def test_staff_see_and_set_the_confirmed_state_in_the_admin(admin_client, newcomer):
    url = f"/admin/accounts/user/{newcomer.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="emailaddress_set-0-verified"' in page.text
    listed = admin_client.get("/admin/accounts/user/", {"emailaddress__verified__exact": "0"})
    assert [u.username for u in listed.context["cl"].result_list] == ["new_onjo"]


def test_staff_take_part_without_confirming(client, concern):
    staff = make_newcomer("new_staff", is_staff=True)
    client.force_login(staff)
    client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert Vote.objects.get().user == staff


# Logging in before confirming.


def log_in(name):
    client = Client()
    response = client.post("/accounts/login/", {"login": name, "password": PASSWORD})
    return client, response


def test_an_unconfirmed_fan_logging_in_is_not_signed_in(newcomer):
    client, response = log_in("new_onjo")
    assert response.url == "/accounts/confirm-email/"
    assert not client.get("/").context["user"].is_authenticated


def test_an_unconfirmed_fan_logging_in_is_mailed_the_link_again(newcomer):
    log_in("new_onjo@example.com")
    (message,) = outbox()
    assert message.to == ["new_onjo@example.com"]
    assert "/accounts/confirm-email/" in message.body


def test_an_unconfirmed_fan_logging_in_is_told_why(newcomer):
    client, response = log_in("new_onjo")
    page = client.get(response.url).text
    assert "Confirmation email sent to new_onjo@example.com." in page
    assert "an account logs in once its address is confirmed" in page


def test_logging_in_again_and_again_sends_the_link_once_in_a_while(newcomer):
    for _ in range(3):
        log_in("new_onjo")
    assert len(outbox()) == 1


def test_the_link_mailed_at_log_in_signs_the_fan_in(newcomer):
    client, _response = log_in("new_onjo")
    link = next(word for word in outbox()[0].body.split() if "/confirm-email/" in word)
    client.post(link.removeprefix("http://testserver"))
    assert client.get("/").context["user"] == newcomer


def test_a_confirmed_fan_logs_in(newcomer):
    confirm(newcomer)
    client, response = log_in("new_onjo")
    assert response.url == "/"
    assert client.get("/").context["user"] == newcomer


def test_a_superuser_made_by_createsuperuser_logs_in_without_confirming():
    # create_superuser is what the command calls: an email, and no address confirmed.
    admin = make_superuser("head_curator")
    assert not EmailAddress.objects.filter(user=admin, verified=True).exists()
    client, response = log_in("head_curator")
    assert response.url == "/"
    assert client.get("/").context["user"] == admin


def test_staff_whose_address_is_unconfirmed_log_in():
    staff = make_newcomer("new_staff", is_staff=True)
    client, _response = log_in("new_staff")
    assert client.get("/").context["user"] == staff


def test_a_fan_exempted_by_staff_logs_in_without_confirming():
    fan = make_newcomer("exempt_onjo")
    type(fan).objects.filter(pk=fan.pk).update(email_confirmation_required=False)
    client, _response = log_in("exempt_onjo")
    assert client.get("/").context["user"] == fan
    assert not outbox()
