"""With STAFF_REQUIRE_2FA, staff act as staff only after a code from their second factor.

Each door the security review found open is tried here with the attack
itself: the admin's own log-in, password re-authentication in front of the
recovery codes, a password-only session reading staff-only pages, enrolling
an authenticator with a stolen password, guessing codes.
"""

import importlib
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client

from discussions.models import Comment
from moderation.decisions import hide_comments
from moderation.models import Rule
from news.models import SeasonUpdate
from tests.factories import (
    PASSWORD,
    make_comment,
    make_concern,
    make_moderator,
    make_superuser,
    make_update,
    make_user,
    with_confirmed_address,
)
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
DEACTIVATE = "/accounts/2fa/totp/deactivate/"
CODES = "/accounts/2fa/recovery-codes/"
GENERATE = "/accounts/2fa/recovery-codes/generate/"
DOWNLOAD = "/accounts/2fa/recovery-codes/download/"
REAUTH_BY_CODE = "/accounts/2fa/reauthenticate/"
REAUTH_BY_PASSWORD = "/accounts/reauthenticate/"


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_2FA = True


def code_for(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def wrong_code_for(secret):
    return f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"


def logged_in(user, secret=None):
    """The site's log-in, with the authenticator's code when the account has one."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    if secret is not None:
        assert response.url == "/accounts/2fa/authenticate/"
        response = client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
        assert response.status_code == 302, response.content
    return client


def mailed_code(address):
    for message in reversed(outbox()):
        if address in message.to and "two-factor" in message.subject.lower():
            return re.search(r"\b(\d{8})\b", message.body).group(1)
    raise AssertionError(f"no code mailed to {address}")


def enrol(client, user):
    """Set up an authenticator as its owner would: password again, the mailed code, the app's."""
    assert client.get(ACTIVATE).url.startswith(REAUTH_BY_PASSWORD)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(ACTIVATE, {"mailed_code": mailed_code(user.email), "code": code_for(secret)})
    assert done.status_code == 302, done.content.decode()[-2000:]
    return secret


def enrolled(user):
    """An account with an authenticator and recovery codes, and its secret."""
    with_confirmed_address(user)
    return enrol(logged_in(user), user)


def age_authentications(client):
    """Move every code and password this session entered an hour into the past."""
    session = client.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] = time.time() - 3600
    session["account_authentication_methods"] = records
    session.save()


def password_only_session(user):
    """A staff session made by a password alone, as the admin's log-in page made them."""
    client = Client()
    client.force_login(user)
    return client


def recovery_codes_of(user):
    return Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)


def spare_code(user):
    """A recovery code: the app's code of this half-minute was spent signing in."""
    return recovery_codes_of(user).wrap().get_unused_codes()[0]


def shows_a_code(page, user):
    codes = recovery_codes_of(user).wrap().get_unused_codes()
    return any(code in page.text for code in codes)


# The admin's log-in is the site's.


def test_without_the_setting_staff_open_the_admin_as_before(settings):
    settings.STAFF_REQUIRE_2FA = False
    client = logged_in(make_moderator("mod_min"))
    assert client.get("/admin/").status_code == 200


def test_the_admin_log_in_page_sends_to_the_sites(required):
    response = Client().get("/admin/login/?next=/admin/discussions/comment/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Fdiscussions%2Fcomment%2F"


def test_a_password_posted_to_the_admin_log_in_signs_nobody_in(required):
    make_moderator("mod_min")
    client = Client()
    answer = client.post("/admin/login/", {"username": "mod_min", "password": PASSWORD})
    assert answer.url.startswith("/accounts/login/")
    assert client.get("/").context["user"].is_anonymous


def test_a_password_posted_to_the_admin_log_in_signs_nobody_in_without_the_setting(settings):
    settings.STAFF_REQUIRE_2FA = False
    make_moderator("mod_min")
    client = Client()
    client.post("/admin/login/", {"username": "mod_min", "password": PASSWORD})
    assert client.get("/").context["user"].is_anonymous


def test_the_admin_log_in_will_not_send_anyone_off_the_site(required):
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_staff_with_an_authenticator_are_asked_for_the_code_at_the_sites_log_in(required):
    moderator = make_moderator("mod_min")
    enrolled(moderator)
    client = Client()
    first = client.post("/accounts/login/", {"login": "mod_min", "password": PASSWORD})
    assert first.url == "/accounts/2fa/authenticate/"
    assert client.get("/").context["user"].is_anonymous


def test_staff_signed_in_with_the_code_open_the_admin(required):
    moderator = make_moderator("mod_min")
    secret = enrolled(moderator)
    assert logged_in(moderator, secret).get("/admin/").status_code == 200


# Enrolling: the first authenticator needs the code mailed to the account.


def test_staff_without_an_authenticator_are_sent_to_enrol(required):
    client = logged_in(with_confirmed_address(make_moderator("mod_min")))
    response = client.get("/admin/discussions/comment/")
    assert response.status_code == 302
    assert response.url == f"{ACTIVATE}?next=%2Fadmin%2Fdiscussions%2Fcomment%2F"
    page = client.get(response.url, follow=True)
    assert "Staff set up two-factor authentication before the admin opens." in page.text


def test_enrolling_mails_a_code_and_then_the_admin_opens(required):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    client = logged_in(moderator)
    enrol(client, moderator)
    assert recovery_codes_of(moderator)
    assert client.get("/admin/").status_code == 200


def test_a_stolen_password_cannot_enrol_an_authenticator_of_its_own(required):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    attacker = logged_in(moderator)
    attacker.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    page = attacker.get(ACTIVATE)
    secret = page.context["form"].secret
    for guess in ["", "12345678", "00000000"]:
        answer = attacker.post(ACTIVATE, {"mailed_code": guess, "code": code_for(secret)})
        assert answer.status_code == 200
    assert not Authenticator.objects.filter(user=moderator).exists()


def test_the_mailed_code_goes_to_the_accounts_confirmed_address(required):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    client = logged_in(moderator)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    client.get(ACTIVATE)
    assert mailed_code("mod_min@example.com")


def test_no_code_is_mailed_before_the_password_is_asked_again(required):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    client = logged_in(moderator)
    age_authentications(client)
    assert client.get(ACTIVATE).url.startswith(REAUTH_BY_PASSWORD)
    assert not outbox()


def test_an_account_without_a_confirmed_address_cannot_enrol_and_is_told_why(required):
    moderator = make_moderator("mod_min")
    EmailAddress.objects.create(user=moderator, email="typo@example.com", verified=False)
    client = logged_in(moderator)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    page = client.get(ACTIVATE, follow=True)
    assert "Confirm an email address first" in page.text
    assert not Authenticator.objects.filter(user=moderator).exists()


def test_a_superuser_made_at_the_server_gets_the_code_at_the_address_typed_there(required):
    admin = make_superuser("boss")
    client = logged_in(admin)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    assert client.get(ACTIVATE).status_code == 200
    assert mailed_code("boss@example.com")


def test_staff_cannot_change_their_own_address(required):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    client = logged_in(moderator)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    answer = client.post(
        "/accounts/email/", {"action_add": "", "email": "attacker@example.com"}, follow=True
    )
    assert "Staff email addresses are changed by a superuser" in answer.text
    assert not EmailAddress.objects.filter(email="attacker@example.com").exists()


def test_fans_still_change_their_address(required):
    fan = with_confirmed_address(make_user("plain_fan"))
    client = logged_in(fan)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert EmailAddress.objects.filter(user=fan, email="new@example.com").exists()


# Re-authentication for the second-factor pages takes a code, never the password.


@pytest.mark.parametrize("user_maker", [make_moderator, make_user], ids=["staff", "fan"])
def test_the_recovery_codes_ask_for_a_code_not_the_password(required, user_maker):
    user = user_maker("holder")
    secret = enrolled(user)
    client = logged_in(user, secret)
    age_authentications(client)
    asked = client.get(CODES)
    assert asked.url.startswith(REAUTH_BY_CODE)
    # The password page passes the account on to the code.
    assert client.get(REAUTH_BY_PASSWORD).url.startswith(REAUTH_BY_CODE)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    again = client.get(CODES)
    assert again.status_code == 302
    assert not shows_a_code(again, user)


@pytest.mark.parametrize("path", [CODES, DOWNLOAD])
def test_a_code_opens_the_recovery_codes(required, path):
    user = make_user("holder")
    secret = enrolled(user)
    client = logged_in(user, secret)
    age_authentications(client)
    client.post(REAUTH_BY_CODE, {"code": spare_code(user)})
    page = client.get(path)
    assert page.status_code == 200
    assert shows_a_code(page, user)


def test_a_password_cannot_remove_the_authenticator(required):
    moderator = make_moderator("mod_min")
    secret = enrolled(moderator)
    client = logged_in(moderator, secret)
    age_authentications(client)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    client.post(DEACTIVATE)
    assert Authenticator.objects.filter(user=moderator, type="totp").exists()


def test_a_password_cannot_make_new_recovery_codes(required):
    moderator = make_moderator("mod_min")
    secret = enrolled(moderator)
    before = recovery_codes_of(moderator).pk
    client = logged_in(moderator, secret)
    age_authentications(client)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    client.post(GENERATE)
    assert recovery_codes_of(moderator).pk == before


def test_a_code_removes_the_authenticator(required):
    fan = make_user("holder")
    secret = enrolled(fan)
    client = logged_in(fan, secret)
    age_authentications(client)
    client.post(REAUTH_BY_CODE, {"code": spare_code(fan)})
    client.post(DEACTIVATE)
    assert not Authenticator.objects.filter(user=fan, type="totp").exists()


# A session signed in by password alone: the review's attack, step by step.


def test_a_password_only_staff_session_is_signed_out(required):
    moderator = make_moderator("mod_min")
    enrolled(moderator)
    client = password_only_session(moderator)
    answer = client.get("/")
    assert answer.url.startswith("/accounts/login/")
    assert client.get("/").context["user"].is_anonymous


def test_a_password_only_staff_session_never_sees_the_recovery_codes(required):
    moderator = make_moderator("mod_min")
    enrolled(moderator)
    client = password_only_session(moderator)
    page = client.get(CODES, follow=True)
    assert not shows_a_code(page, moderator)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    assert not shows_a_code(client.get(CODES, follow=True), moderator)


@pytest.fixture
def pending_staff(required):
    """A superuser signed in by password, before enrolling: a fan everywhere but the 2FA pages."""
    return password_only_session(make_superuser("boss"))


def test_pending_staff_do_not_preview_a_draft_update(pending_staff):
    draft = make_update(status=SeasonUpdate.Status.DRAFT)
    assert pending_staff.get(draft.get_absolute_url()).status_code == 404


def test_pending_staff_do_not_get_a_drafts_card(pending_staff):
    draft = make_update(status=SeasonUpdate.Status.DRAFT)
    assert pending_staff.get(f"/updates/{draft.slug}/card.png").status_code == 404


def test_a_draft_is_previewed_with_the_code(required):
    admin = make_superuser("boss")
    secret = enrolled(admin)
    draft = make_update(status=SeasonUpdate.Status.DRAFT)
    assert logged_in(admin, secret).get(draft.get_absolute_url()).status_code == 200


def test_pending_staff_do_not_read_a_hidden_comments_staff_note(pending_staff):
    moderator = make_moderator("mod_note")
    comment = make_comment(make_concern())
    hide_comments([comment], moderator, Rule.RESPECT, "staff-only: repeat offender")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HIDDEN
    page = pending_staff.get(f"/comments/{comment.pk}/moderation/")
    assert page.status_code == 403
    assert "repeat offender" not in page.text


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/vote-bursts/", "/admin/moderation/reportedcomment/"]
)
def test_pending_staff_do_not_open_the_admin(pending_staff, path):
    answer = pending_staff.get(path)
    assert answer.status_code == 302
    assert answer.url.startswith(ACTIVATE)


def test_pending_staff_hold_no_permission(pending_staff):
    user = pending_staff.get("/").wsgi_request.user
    assert user.second_factor_pending
    assert not user.has_perm("news.view_seasonupdate")
    assert not user.acts_as_staff


# Every change to a second factor is mailed to its owner.


def subjects_to(address):
    return [m.subject for m in outbox() if address in m.to]


# allauth mails these once the change is committed, inside the request.
in_transactions = pytest.mark.django_db(transaction=True)


@in_transactions
def test_enrolling_is_mailed(required):
    fan = with_confirmed_address(make_user("holder"))
    enrol(logged_in(fan), fan)
    assert any("Authenticator App Activated" in s for s in subjects_to(fan.email))


@in_transactions
def test_showing_the_recovery_codes_is_mailed(required):
    fan = make_user("holder")
    secret = enrolled(fan)
    client = logged_in(fan, secret)
    client.post(REAUTH_BY_CODE, {"code": spare_code(fan)})
    mail.outbox.clear()
    client.get(CODES)
    assert any("Recovery codes shown" in s for s in subjects_to(fan.email))


@in_transactions
def test_removing_the_authenticator_is_mailed(required):
    fan = make_user("holder")
    secret = enrolled(fan)
    client = logged_in(fan, secret)
    client.post(REAUTH_BY_CODE, {"code": spare_code(fan)})
    client.post(DEACTIVATE)
    assert any("Authenticator App Deactivated" in s for s in subjects_to(fan.email))


@in_transactions
def test_new_recovery_codes_are_mailed(required):
    fan = make_user("holder")
    secret = enrolled(fan)
    client = logged_in(fan, secret)
    client.post(REAUTH_BY_CODE, {"code": spare_code(fan)})
    client.post(GENERATE)
    assert any("New Recovery Codes Generated" in s for s in subjects_to(fan.email))


# Wrong codes are limited per account, wherever they come from.


def test_wrong_codes_at_log_in_lock_the_account_for_a_while(required):
    moderator = make_moderator("mod_min")
    secret = enrolled(moderator)
    for n in range(5):
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
        client.post("/accounts/login/", {"login": "mod_min", "password": PASSWORD})
        client.post("/accounts/2fa/authenticate/", {"code": wrong_code_for(secret)})
    client = Client(REMOTE_ADDR="10.0.0.99")
    client.post("/accounts/login/", {"login": "mod_min", "password": PASSWORD})
    answer = client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    assert "Too many wrong codes for this account." in answer.text
    assert client.get("/").context["user"].is_anonymous


def test_wrong_codes_when_asked_again_count_too(required):
    fan = make_user("holder")
    secret = enrolled(fan)
    client = logged_in(fan, secret)
    age_authentications(client)
    for _ in range(5):
        client.post(REAUTH_BY_CODE, {"code": wrong_code_for(secret)})
    answer = client.post(REAUTH_BY_CODE, {"code": code_for(secret)})
    assert "Too many wrong codes for this account." in answer.text
    assert client.get(CODES).url.startswith(REAUTH_BY_CODE)


def test_wrong_codes_of_one_account_do_not_lock_another(required):
    first, second = make_user("first_fan"), make_user("second_fan")
    first_secret, second_secret = enrolled(first), enrolled(second)
    client = logged_in(first, first_secret)
    age_authentications(client)
    for _ in range(5):
        client.post(REAUTH_BY_CODE, {"code": wrong_code_for(first_secret)})
    assert logged_in(second, second_secret).get("/").context["user"] == second


# Fans.


def test_fans_are_never_asked_to_enrol(required):
    client = logged_in(make_user("plain_fan"))
    assert client.get("/").status_code == 200
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_the_admin_log_out_page_stays_open(required):
    client = logged_in(make_moderator("mod_min"))
    assert client.post("/admin/logout/").status_code in {200, 302}


def test_the_two_factor_page_is_in_the_account_pages(required):
    client = logged_in(make_moderator("mod_min"))
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert 'href="/accounts/2fa/"' in page.text


# Staff codes from before this release are to be made anew.


def flag_codes_as_the_migration_does():
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0007_renew_staff_recovery_codes")
    migration.flag_staff_codes(apps, None)


def test_staff_are_asked_to_make_new_codes_after_the_release(required):
    moderator = make_moderator("mod_min")
    secret = enrolled(moderator)
    flag_codes_as_the_migration_does()
    client = logged_in(moderator, secret)
    assert "Make new recovery codes" in client.get("/admin/").text


def test_making_new_codes_ends_the_request_for_them(required):
    moderator = make_moderator("mod_min")
    secret = enrolled(moderator)
    flag_codes_as_the_migration_does()
    client = logged_in(moderator, secret)
    client.post(REAUTH_BY_CODE, {"code": spare_code(moderator)})
    client.post(GENERATE)
    assert "Make new recovery codes" not in client.get("/admin/").text


def test_fans_codes_are_left_alone():
    fan = make_user("holder")
    enrolled(fan)
    flag_codes_as_the_migration_does()
    assert "renew" not in recovery_codes_of(fan).data


# Hostile input on the new fields is a form error, never a 5xx.

HOSTILE_CODES = [
    "\x00",
    "1" * 10_000,
    "١٢٣٤٥٦٧٨",
    "12345678\x00",
    "{{ 7*7 }}",
    "' OR 1=1--",
    " 1234 5678 ",
]


@pytest.mark.parametrize("value", HOSTILE_CODES)
def test_hostile_set_up_codes_are_refused_with_a_message(required, value):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    client = logged_in(moderator)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    client.get(ACTIVATE)
    answer = client.post(ACTIVATE, {"mailed_code": value, "code": value})
    assert answer.status_code == 200
    assert not Authenticator.objects.filter(user=moderator).exists()


@pytest.mark.parametrize("value", HOSTILE_CODES)
def test_hostile_codes_when_asked_again_are_refused_with_a_message(required, value):
    fan = make_user("holder")
    secret = enrolled(fan)
    client = logged_in(fan, secret)
    age_authentications(client)
    assert client.post(REAUTH_BY_CODE, {"code": value}).status_code == 200


def test_staff_may_have_the_link_sent_again_to_confirm_their_address(required):
    moderator = make_moderator("mod_min")
    EmailAddress.objects.create(
        user=moderator, email="mod_min@example.com", primary=True, verified=False
    )
    client = logged_in(moderator)
    client.post("/accounts/email/", {"action_send": "", "email": "mod_min@example.com"})
    assert any("mod_min@example.com" in message.to for message in outbox())


def test_staff_cannot_slip_a_new_address_in_beside_sending_the_link(required):
    moderator = with_confirmed_address(make_moderator("mod_min"))
    client = logged_in(moderator)
    client.post(REAUTH_BY_PASSWORD, {"password": PASSWORD})
    client.post(
        "/accounts/email/", {"action_add": "", "action_send": "", "email": "evil@example.com"}
    )
    assert not EmailAddress.objects.filter(email="evil@example.com").exists()
