"""Hostile or broken requests get a 4xx that says what was wrong, never a 500.

Accounts (usernames, racing sign-ups, ?next=), request encodings, and the
error pages themselves, which must render with the database down.
"""

import re
import threading

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError, connection
from django.http import Http404
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.forms import SignupForm
from accounts.models import User
from aouad import views
from tests.factories import PASSWORD, make_staff, make_user
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db

TAKEN = "That username is taken. Please choose another."
BAD_REQUEST = "That request didn't make sense"


def signup_data(username="jang_haneul", **extra):
    return {
        "username": username,
        "email": f"{len(username)}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "is_14_or_older": "on",
        **extra,
    }


# Usernames -----------------------------------------------------------------

HOSTILE_USERNAMES = [
    ("a" * 256, "Ensure this value has at most 150 characters (it has 256)."),
    ("b" * 151, "Ensure this value has at most 150 characters (it has 151)."),
    ("nam\x00onjo", "Null characters are not allowed."),
    ("\x00" * 300, "Null characters are not allowed."),
]


# The log-in takes a username or an email, so its limit is an email's, 254.
HOSTILE_LOGINS = [
    ("a" * 300, "Ensure this value has at most 254 characters (it has 300)."),
    ("b" * 255, "Ensure this value has at most 254 characters (it has 255)."),
    ("nam\x00onjo", "Null characters are not allowed."),
    ("\x00" * 300, "Null characters are not allowed."),
]


@pytest.mark.parametrize(("username", "message"), HOSTILE_LOGINS)
def test_login_refuses_hostile_username_with_a_form_error(client, username, message):
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 200
    assert message in response.text


@pytest.mark.parametrize("username", [username for username, _ in HOSTILE_LOGINS])
def test_login_with_hostile_username_records_no_attempt(client, username):
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


@pytest.mark.parametrize(("username", "message"), HOSTILE_USERNAMES)
def test_admin_login_sends_a_hostile_username_to_the_sites_log_in(client, username, message):
    # The admin has no log-in form of its own any more (the site's asks for
    # the second factor), so nothing posted there reaches authenticate().
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(("username", "message"), HOSTILE_USERNAMES)
def test_signup_refuses_hostile_username_and_saves_nothing(client, username, message):
    response = client.post("/accounts/signup/", signup_data(username))
    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.exists()


def test_login_with_a_150_character_username_still_works(client):
    fan = make_user("n" * 150)
    response = client.post("/accounts/login/", {"username": fan.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == fan


def test_staff_log_in_on_the_site_and_go_on_to_the_admin(client):
    staff = make_staff()
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/admin/"


# Sign-ups racing for one name ----------------------------------------------


@pytest.fixture
def rival_signs_up_after_validation(monkeypatch):
    """Make a rival take the name once the form has checked that it is free."""
    validate = SignupForm.is_valid

    def is_valid(form):
        valid = validate(form)
        make_user(form.cleaned_data["username"].upper())
        return valid

    monkeypatch.setattr(SignupForm, "is_valid", is_valid)


def test_signup_losing_a_race_for_the_name_gets_the_form_error(
    client, rival_signs_up_after_validation
):
    response = client.post("/accounts/signup/", signup_data("jang_haneul"))
    assert response.status_code == 200
    assert TAKEN in response.text


def test_signup_losing_a_race_for_the_name_saves_one_account(
    client, rival_signs_up_after_validation
):
    client.post("/accounts/signup/", signup_data("jang_haneul"))
    assert list(User.objects.values_list("username", flat=True)) == ["JANG_HANEUL"]
    assert client.get("/").context["user"].is_anonymous


@pytest.mark.django_db(transaction=True)
def test_two_signups_with_one_name_at_the_same_instant_make_one_account(monkeypatch):
    # Both forms pass validation before either saves, on their own connections.
    both_validated = threading.Barrier(2, timeout=30)
    validate = SignupForm.is_valid

    def is_valid(form):
        valid = validate(form)
        both_validated.wait()
        return valid

    monkeypatch.setattr(SignupForm, "is_valid", is_valid)
    responses, errors = [], []

    def sign_up(username):
        try:
            responses.append(Client().post("/accounts/signup/", signup_data(username)))
        except Exception as exc:  # the test reports every failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in ("Cheong", "cheong")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(response.status_code for response in responses) == [200, 302]
    assert TAKEN in next(r for r in responses if r.status_code == 200).text
    assert User.objects.filter(username__iexact="cheong").count() == 1


# Encodings -----------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
SIGNUP_FORM = f"username=jang_haneul&password1={PASSWORD}&password2={PASSWORD}"
UNREADABLE_BODIES = {
    "utf-16": (f"{FORM}; charset=utf-16", SIGNUP_FORM.encode("utf-16")),
    "latin-1": (f"{FORM}; charset=latin-1", SIGNUP_FORM.encode("latin-1")),
    "unknown charset": (f"{FORM}; charset=klingon", SIGNUP_FORM.encode()),
    "raw bytes not UTF-8": (FORM, SIGNUP_FORM.encode() + b"&email=\xff\xfe"),
    "escaped bytes not UTF-8": (FORM, SIGNUP_FORM.encode() + b"&email=%ff%c3"),
    "multipart, unknown charset": (
        "multipart/form-data; boundary=x; charset=klingon",
        b'--x\r\nContent-Disposition: form-data; name="username"\r\n\r\njang\r\n--x--\r\n',
    ),
}


@pytest.fixture
def browser():
    """A client that checks CSRF and holds the cookie, as a browser does."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/signup/")
    return client


@pytest.mark.parametrize("kind", UNREADABLE_BODIES)
def test_unreadable_form_gets_the_400_page(browser, kind):
    content_type, body = UNREADABLE_BODIES[kind]
    response = browser.generic("POST", "/accounts/signup/", body, content_type=content_type)
    assert response.status_code == 400
    assert BAD_REQUEST in response.text


@pytest.mark.parametrize("kind", UNREADABLE_BODIES)
def test_unreadable_form_saves_nothing(browser, kind):
    content_type, body = UNREADABLE_BODIES[kind]
    browser.generic("POST", "/accounts/signup/", body, content_type=content_type)
    assert not User.objects.exists()


@pytest.mark.parametrize("kind", UNREADABLE_BODIES)
def test_unreadable_form_gets_the_400_page_in_korean(browser, kind):
    content_type, body = UNREADABLE_BODIES[kind]
    response = browser.generic(
        "POST", "/accounts/login/", body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert response.status_code == 400
    assert "이해할 수 없는 요청입니다" in response.text


@pytest.mark.parametrize("content_type", [FORM, f"{FORM}; charset=UTF-8", f"{FORM}; charset=utf-8"])
def test_utf8_form_with_korean_text_is_accepted(client, content_type):
    body = (
        f"username=남온조&email=onjo@example.com&password1={PASSWORD}&password2={PASSWORD}"
        "&is_14_or_older=on"
    )
    body = body.encode()
    response = client.generic("POST", "/accounts/signup/", body, content_type=content_type)
    assert response.status_code == 302
    assert User.objects.get().username == "남온조"


@pytest.mark.parametrize("url", ["/?x=%ff", "/accounts/login/?next=%ff%fe", "/updates/?page=%c3"])
def test_query_string_that_is_not_utf8_is_ignored(client, url):
    assert client.get(url).status_code == 200


# ?next= --------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
    "http://[",
    "\x00",
    "/concerns/\x00/",
    "/\t/evil.example/",
    "/" + "a" * 5000,
    "foo",
    "?x=1",
    "accounts:logout",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_with_hostile_next_goes_home(client, target):
    fan = make_user()
    response = client.post(
        "/accounts/login/", {"username": fan.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_page_drops_hostile_next(client, target):
    response = client.get("/accounts/login/", {"next": target})
    assert response.status_code == 200
    assert not response.context["redirect_field_value"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_signup_with_hostile_next_goes_home_once_confirmed(client, target):
    client.post("/accounts/signup/", signup_data(next=target))
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", outbox()[-1].body)
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_signup_page_drops_hostile_next(client, target):
    response = client.get("/accounts/signup/", {"next": target})
    assert response.status_code == 200
    assert not response.context["redirect_field_value"]


@pytest.mark.parametrize("target", ["/accounts/login/", "/accounts/login/?next=/"])
def test_signed_in_fan_sent_back_to_login_goes_home(fan_client, target):
    response = fan_client.get("/accounts/login/", {"next": target})
    assert response.status_code == 302
    assert response.url == "/"


def test_login_keeps_a_next_on_this_site(client, concern):
    fan = make_user()
    response = client.post(
        "/accounts/login/",
        {"login": fan.username, "password": PASSWORD, "next": concern.get_absolute_url()},
    )
    assert response.url == concern.get_absolute_url()


# Error pages ---------------------------------------------------------------

ENGLISH_AND_KOREAN = [("en", '<html lang="en">'), ("ko", '<html lang="ko">')]
MESSAGES = {
    400: {"en": BAD_REQUEST, "ko": "이해할 수 없는 요청입니다"},
    403: {"en": "You can't do that", "ko": "그렇게 할 수 없습니다"},
    404: {"en": "Nothing here", "ko": "여기에는 아무것도 없습니다"},
    500: {"en": "Something broke on our side", "ko": "저희 쪽에서 문제가 생겼습니다"},
    503: {
        "en": "The site can't reach its database right now",
        "ko": "지금 사이트가 데이터베이스에 연결할 수 없습니다",
    },
}


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection refused")


@pytest.mark.parametrize(("language", "html"), ENGLISH_AND_KOREAN)
def test_404_page(client, language, html):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert MESSAGES[404][language] in response.text
    assert html in response.text


@pytest.mark.parametrize(("language", "html"), ENGLISH_AND_KOREAN)
def test_404_page_while_the_database_is_down(fan_client, language, html):
    with connection.execute_wrapper(database_down):
        response = fan_client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert MESSAGES[404][language] in response.text
    assert html in response.text


@pytest.mark.parametrize(("language", "html"), ENGLISH_AND_KOREAN)
def test_403_page(client, language, html):
    client.force_login(make_staff())
    response = client.get("/admin/discussions/comment/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert MESSAGES[403][language] in response.text
    assert html in response.text


@pytest.mark.parametrize(("language", "html"), ENGLISH_AND_KOREAN)
def test_400_page(client, language, html):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert MESSAGES[400][language] in response.text
    assert html in response.text


@pytest.mark.parametrize(("language", "html"), ENGLISH_AND_KOREAN)
def test_error_page_while_the_database_is_down(fan, language, html):
    client = Client(raise_request_exception=False)
    client.force_login(fan)
    with connection.execute_wrapper(database_down):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    # PostgreSQL out of reach is "briefly unavailable"; an SQLite file is
    # never out of reach, so an error there is a plain server error.
    status = 503 if connection.vendor == "postgresql" else 500
    assert response.status_code == status
    assert MESSAGES[status][language] in response.text
    assert html in response.text


@pytest.mark.parametrize(("language", "html"), ENGLISH_AND_KOREAN)
def test_500_page_when_reading_the_user_fails(monkeypatch, fan, language, html):
    def unreadable_user(request):
        raise RuntimeError("session store unreachable")

    monkeypatch.setattr("django.contrib.auth.get_user", unreadable_user)
    client = Client(raise_request_exception=False)
    client.force_login(fan)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    assert MESSAGES[500][language] in response.text
    assert html in response.text


class UnreadableUserRequest:
    """A request whose user cannot be read, as when the session store is down."""

    def __init__(self):
        self._request = RequestFactory().get("/")

    def __getattr__(self, name):
        if name == "user":
            raise RuntimeError("session store unreachable")
        return getattr(self._request, name)


HANDLERS = {
    400: lambda request: views.bad_request(request, BadRequest()),
    403: lambda request: views.permission_denied(request, PermissionDenied()),
    404: lambda request: views.page_not_found(request, Http404()),
    500: views.server_error,
}


@pytest.mark.parametrize("status", HANDLERS)
def test_error_page_needs_neither_database_nor_user(status):
    with translation.override("en"), connection.execute_wrapper(database_down):
        response = HANDLERS[status](UnreadableUserRequest())
    assert response.status_code == status
    assert MESSAGES[status]["en"] in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/concerns/", "/api/concerns/{slug}/"])
def test_json_api_answers_other_methods_with_405_even_with_csrf_checks(concern, method, path):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path.format(slug=concern.slug))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
