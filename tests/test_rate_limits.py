import os
import re
import threading
import zlib

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from aouad.settings.base import redis_cache
from discussions.models import Comment
from moderation.models import Report
from opinion.models import Vote
from tests.factories import PASSWORD, age_account, make_comment, make_concern, make_user

pytestmark = pytest.mark.django_db


def start_window(clock, key, period):
    """Put the limiter's clock one second into a fresh window for this key."""
    offset = zlib.crc32(str(key).encode()) % period
    clock.now = 1_800_000_000 - (1_800_000_000 % period) + offset + 1


def post_comment(client, concern, body="A fresh point", **data):
    return client.post(
        f"/concerns/{concern.slug}/comments/", {"body": body, "stance": "undecided", **data}
    )


@pytest.fixture
def veteran(fan):
    return age_account(fan)


def test_second_comment_within_ten_seconds_is_429_and_keeps_the_text(fan_client, veteran, concern):
    post_comment(fan_client, concern, "First")
    response = post_comment(fan_client, concern, "Second, carefully written")
    assert response.status_code == 429
    assert "Please leave a little time between comments." in response.text
    assert "Please try again in" in response.text
    assert 1 <= int(response["Retry-After"]) <= 10
    assert "Second, carefully written" in response.text
    assert Comment.objects.count() == 1


def test_comment_after_ten_seconds_is_accepted(fan_client, veteran, concern, clock):
    start_window(clock, veteran.pk, 10)
    post_comment(fan_client, concern, "First")
    clock.advance(10)
    assert post_comment(fan_client, concern, "Second").status_code == 302


def test_new_account_waits_thirty_seconds_between_comments(fan_client, fan, concern, clock):
    start_window(clock, fan.pk, 30)
    post_comment(fan_client, concern, "First")
    clock.advance(15)
    assert post_comment(fan_client, concern, "Second").status_code == 429
    clock.advance(15)
    assert post_comment(fan_client, concern, "Third").status_code == 302


def test_new_account_posts_at_most_ten_comments_on_day_one(fan_client, fan, concern, clock):
    for i in range(10):
        clock.advance(31)
        assert post_comment(fan_client, concern, f"Comment {i}").status_code == 302
    clock.advance(31)
    response = post_comment(fan_client, concern, "Eleventh")
    assert response.status_code == 429
    assert "New accounts can post 10 comments on their first day." in response.text
    assert Comment.objects.count() == 10


def test_older_account_has_no_daily_cap(fan_client, veteran, concern, clock):
    for i in range(11):
        clock.advance(11)
        assert post_comment(fan_client, concern, f"Comment {i}").status_code == 302


def test_same_text_again_within_five_minutes_is_refused(fan_client, veteran, concern, clock):
    post_comment(fan_client, concern, "Season 2 will flop")
    clock.advance(11)
    response = post_comment(fan_client, concern, "Season 2 will flop")
    assert response.status_code == 429
    assert "You posted this same text a moment ago." in response.text
    clock.advance(1)
    assert post_comment(fan_client, concern, "Something new").status_code == 302


def test_refused_input_does_not_use_up_the_limit(fan_client, veteran, concern):
    assert post_comment(fan_client, concern, "   ").status_code == 400
    assert post_comment(fan_client, concern, "Now with words").status_code == 302


def test_thirty_votes_a_minute_then_429(fan_client, fan, concern):
    verdicts = ["justified", "overblown"] * 15
    for verdict in verdicts:
        response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": verdict})
        assert response.status_code == 302
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 429
    assert "voting very fast." in response.text
    assert "Nothing was saved." in response.text
    assert response["Retry-After"]
    assert Vote.objects.get().verdict == "overblown"


def sign_up(username, address="127.0.0.2", forwarded=None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return Client().post(
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_14_or_older": "on",
        },
        REMOTE_ADDR=address,
        **headers,
    )


def test_three_signups_per_address_per_day(db):
    for name in ["jeong_ho", "ha_ri", "dae_su"]:
        assert sign_up(name).status_code == 302
    response = sign_up("fourth_fan")
    assert response.status_code == 429
    assert "Too many accounts were created from your network today." in response.text
    assert not User.objects.filter(username="fourth_fan").exists()


def test_signup_limit_is_per_address(db):
    for name in ["a_fan", "b_fan", "c_fan"]:
        sign_up(name, "127.0.0.2")
    assert sign_up("d_fan", "127.0.0.2").status_code == 429
    assert sign_up("e_fan", "127.0.0.3").status_code == 302


ATTEMPTS_REFUSED = "Too many sign-up attempts from your network today."


def refused_sign_up(username="x", address="127.0.0.2"):
    """A form sign-up refuses: the password too short."""
    return Client().post(
        "/accounts/signup/",
        {"username": username, "password1": "123", "password2": "123"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def two_attempts(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup-attempts": "2/d"}


def test_refused_sign_up_forms_are_limited_per_address(two_attempts):
    assert [refused_sign_up().status_code for _ in range(2)] == [200, 200]
    response = refused_sign_up()
    assert response.status_code == 429
    assert ATTEMPTS_REFUSED in response.text
    assert response["Retry-After"]


def test_past_the_attempts_limit_a_good_form_is_refused_too(two_attempts):
    for _ in range(2):
        refused_sign_up()
    response = sign_up("good_fan")
    assert response.status_code == 429
    assert ATTEMPTS_REFUSED in response.text
    assert not User.objects.filter(username="good_fan").exists()


def test_past_the_attempts_limit_a_taken_username_cannot_be_told_from_a_free_one(two_attempts, fan):
    for _ in range(2):
        refused_sign_up()
    taken, free = sign_up(fan.username), sign_up("free_name")
    assert (taken.status_code, taken.text) == (free.status_code, free.text)


def test_the_attempts_limit_is_per_address(two_attempts):
    for _ in range(2):
        refused_sign_up(address="127.0.0.2")
    assert refused_sign_up(address="127.0.0.2").status_code == 429
    assert refused_sign_up(address="127.0.0.3").status_code == 200


def test_refused_forms_leave_the_sign_up_limit_whole(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup-attempts": "5/d"}
    for _ in range(4):
        refused_sign_up()
    for name in ["jeong_ho", "ha_ri", "dae_su"]:
        assert sign_up(name).status_code == 302


def test_sign_ups_that_pass_leave_the_attempts_limit_whole(two_attempts):
    for name in ["jeong_ho", "ha_ri"]:
        assert sign_up(name).status_code == 302
    assert refused_sign_up().status_code == 200


def test_twenty_reports_an_hour(fan_client, concern):
    comments = [make_comment(concern) for _ in range(21)]
    for comment in comments[:20]:
        response = fan_client.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
        assert response.status_code == 302
    response = fan_client.post(f"/comments/{comments[20].pk}/report/", {"reason": "spam"})
    assert response.status_code == 429
    assert "You&#x27;ve sent a lot of reports recently." in response.text
    assert Report.objects.count() == 20


def test_honeypot_filled_creates_no_account(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "botty",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 200
    assert "We couldn&#x27;t create the account." in response.text
    assert not User.objects.filter(username="botty").exists()


def test_honeypot_is_hidden_without_inline_style(client, db):
    html = Client().get("/accounts/signup/").text
    opening = re.search(r'<div\s[^>]*class="honeypot"[^>]*>', html)
    assert 'aria-hidden="true"' in opening.group()
    inside = html[opening.end() :].split("</div>", 1)[0]
    assert re.search(r'<input [^>]*name="website"[^>]*tabindex="-1"', inside)
    assert " style=" not in html


def log_in(client, username, password, address="127.0.0.2", **headers):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def test_fifth_failed_login_locks_out_that_address(client, fan):
    for _ in range(4):
        assert log_in(client, fan.username, "wrong").status_code == 200
    fifth = log_in(client, fan.username, "wrong")
    assert fifth.status_code == 429
    assert "Too many failed log-ins" in fifth.text
    assert log_in(client, fan.username, PASSWORD).status_code == 429


def test_lockout_does_not_shut_out_the_real_owner_elsewhere(fan):
    attacker = Client()
    for _ in range(6):
        log_in(attacker, fan.username, "wrong", "127.0.0.2")
    assert log_in(attacker, fan.username, PASSWORD, "127.0.0.2").status_code == 429
    assert log_in(Client(), fan.username, PASSWORD, "127.0.0.3").status_code == 302


def test_lockout_ends_after_fifteen_minutes(client, fan):
    for _ in range(5):
        log_in(client, fan.username, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=14))
    assert log_in(client, fan.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert log_in(client, fan.username, PASSWORD).status_code == 302


def run_at_once(count, request):
    """Fire count requests together from separate threads; return their statuses."""
    statuses = []
    barrier = threading.Barrier(count)

    def worker(i):
        try:
            barrier.wait()
            statuses.append(request(i))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_vote_limit_holds_exactly_under_fifty_simultaneous_requests():
    fan, concern = make_user(), make_concern()

    def vote(i):
        client = Client()
        client.force_login(fan)
        verdict = ["justified", "overblown"][i % 2]
        return client.post(f"/concerns/{concern.slug}/vote/", {"verdict": verdict}).status_code

    statuses = run_at_once(50, vote)
    assert sorted(statuses) == [302] * 30 + [429] * 20


@pytest.mark.django_db(transaction=True)
def test_comment_limit_holds_exactly_under_fifty_simultaneous_requests():
    fan, concern = age_account(make_user()), make_concern()

    def comment(i):
        client = Client()
        client.force_login(fan)
        return post_comment(client, concern, f"Take number {i}").status_code

    statuses = run_at_once(50, comment)
    assert sorted(statuses) == [302] + [429] * 49
    assert Comment.objects.count() == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_limits_live_in_redis_when_configured():
    assert isinstance(caches["default"], RedisCache)
    cache.set("probe", 1)
    assert cache.get("probe") == 1


def test_rate_limited_inline_vote_answers_in_the_live_region(fan_client, concern):
    for verdict in ["justified", "overblown"] * 15:
        fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": verdict})
    response = fan_client.post(
        f"/concerns/{concern.slug}/vote/", {"verdict": "justified"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#inline-refusal", "innerHTML")
    assert "voting very fast." in response.text
    assert "Nothing was saved." in response.text
    assert "<html" not in response.text
    assert Vote.objects.get().verdict == "overblown"


@pytest.mark.django_db
def test_with_the_cache_down_limits_fail_open_and_say_so(fan_client, concern, settings, caplog):
    settings.CACHES = {
        "default": {
            **redis_cache("redis://127.0.0.1:1/0")["default"],
            # Nothing listens on port 1: every cache call fails to connect.
        }
    }
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 302
    assert Vote.objects.filter(concern=concern).count() == 1
    assert "Redis is unreachable" in caplog.text


@pytest.mark.django_db
def test_with_the_cache_down_sign_up_still_works(settings):
    settings.CACHES = {
        "default": {
            **redis_cache("redis://127.0.0.1:1/0")["default"],
        }
    }
    assert sign_up("still_here").status_code == 302
