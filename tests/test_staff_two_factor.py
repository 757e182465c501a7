"""With STAFF_REQUIRE_2FA, staff enrol an authenticator and use it before the admin opens."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client

from tests.factories import PASSWORD, make_moderator, make_user

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_2FA = True


def code_for(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def logged_in(user):
    client = Client()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def enrol(client):
    # allauth asks for the password again before adding an authenticator.
    assert client.get(ACTIVATE).url.startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(ACTIVATE, {"code": code_for(secret)})
    assert done.status_code == 302
    return secret


def test_without_the_setting_staff_open_the_admin_as_before(settings):
    settings.STAFF_REQUIRE_2FA = False
    client = logged_in(make_moderator("mod_min"))
    assert client.get("/admin/").status_code == 200


def test_staff_without_an_authenticator_are_sent_to_enrol(required):
    client = logged_in(make_moderator("mod_min"))
    response = client.get("/admin/discussions/comment/")
    assert response.status_code == 302
    assert response.url == f"{ACTIVATE}?next=%2Fadmin%2Fdiscussions%2Fcomment%2F"
    page = client.get(response.url, follow=True)
    assert "Staff set up two-factor authentication before the admin opens." in page.text


def test_enrolling_gives_recovery_codes_and_then_the_admin_opens_after_a_code(required):
    client = logged_in(make_moderator("mod_min"))
    secret = enrol(client)
    assert Authenticator.objects.filter(type=Authenticator.Type.RECOVERY_CODES).exists()
    asked = client.get("/admin/")
    assert asked.url.startswith("/accounts/2fa/reauthenticate/")
    passed = client.post("/accounts/2fa/reauthenticate/", {"code": code_for(secret)})
    assert passed.status_code == 302, passed.content.decode()[-3000:]
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_at_the_admin_log_in_does_not_open_it(required):
    moderator = make_moderator("mod_min")
    enrol(logged_in(moderator))
    client = Client()
    client.post("/admin/login/", {"username": "mod_min", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/reauthenticate/")


def test_staff_asked_again_are_told_only_the_code_will_do(required):
    moderator = make_moderator("mod_min")
    enrol(logged_in(moderator))
    client = Client()
    client.post("/admin/login/", {"username": "mod_min", "password": PASSWORD})
    page = client.get("/admin/", follow=True)
    assert "a code from your authenticator app, not the password" in page.content.decode()


def test_log_in_on_the_site_asks_an_enrolled_fan_for_the_code(required):
    fan = make_user("careful_fan")
    secret = enrol(logged_in(fan))
    client = Client()
    first = client.post("/accounts/login/", {"login": "careful_fan", "password": PASSWORD})
    assert first.url == "/accounts/2fa/authenticate/"
    assert client.get("/").context["user"].is_anonymous
    client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    assert client.get("/").context["user"].username == "careful_fan"


def test_fans_are_never_asked_to_enrol(required):
    client = logged_in(make_user("plain_fan"))
    assert client.get("/").status_code == 200
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_the_admin_log_in_and_log_out_pages_stay_open(required):
    client = logged_in(make_moderator("mod_min"))
    assert client.get("/admin/login/").status_code in {200, 302}
    assert client.post("/admin/logout/").status_code in {200, 302}


def test_the_two_factor_page_is_in_the_account_pages(required):
    client = logged_in(make_moderator("mod_min"))
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert 'href="/accounts/2fa/"' in page.text
