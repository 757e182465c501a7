"""Muting: a muted fan's comments collapse for the muter, and their replies notify no more."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Mute
from accounts.muting import CannotMuteYourself, mute, unmute
from discussions.authoring import post_comment
from notifications.models import Notification
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db

FOLDED = '<details class="comment-muted">'


def mute_url(fan):
    return f"/fans/{fan.username}/mute/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def troll(db):
    return make_user("troll_kim")


# --- the operations ---------------------------------------------------------------------


def test_muting_twice_leaves_one_mute(fan, troll):
    assert mute(fan, troll) is True
    assert mute(fan, troll) is False
    assert Mute.objects.filter(muter=fan, muted=troll).count() == 1


def test_unmuting_says_whether_there_was_a_mute(fan, troll):
    mute(fan, troll)
    assert unmute(fan, troll) is True
    assert unmute(fan, troll) is False
    assert not Mute.objects.exists()


def test_a_fan_cannot_mute_themselves(fan):
    with pytest.raises(CannotMuteYourself):
        mute(fan, fan)
    assert not Mute.objects.exists()


def test_the_fans_muted_ids_follow_the_change_at_once(fan, troll):
    assert not fan.has_muted(troll)
    mute(fan, troll)
    assert fan.has_muted(troll)
    unmute(fan, troll)
    assert not fan.has_muted(troll)


def test_a_moderator_can_be_muted(fan):
    assert mute(fan, make_moderator()) is True


# --- the form: anonymous -> refused -> allowed ------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, troll):
    response = client.post(mute_url(troll), {"mute": "1"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not Mute.objects.exists()


def test_muting_yourself_is_refused_with_a_message(fan_client, fan):
    response = fan_client.post(mute_url(fan), {"mute": "1"})
    assert response.status_code == 302
    assert messages_of(response) == ["You can't mute yourself."]
    assert not Mute.objects.exists()


def test_a_fan_mutes_and_unmutes_by_the_form(fan_client, fan, troll):
    muted = fan_client.post(mute_url(troll), {"mute": "1"})
    assert muted.url == "/fans/troll_kim/"
    assert "You muted troll_kim" in messages_of(muted)[0]
    assert fan.mutes.filter(muted=troll).exists()
    unmuted = fan_client.post(mute_url(troll), {"mute": "0"})
    assert messages_of(unmuted)[-1] == "You unmuted troll_kim."
    assert not fan.mutes.exists()


def test_the_form_ignores_the_username_case(fan_client, fan, troll):
    fan_client.post("/fans/TROLL_KIM/mute/", {"mute": "1"})
    assert fan.mutes.filter(muted=troll).exists()


def test_a_get_changes_nothing(fan_client, troll):
    response = fan_client.get(mute_url(troll))
    assert response.status_code == 302
    assert not Mute.objects.exists()


def test_the_form_needs_a_csrf_token(fan, troll):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    assert client.post(mute_url(troll), {"mute": "1"}).status_code == 403
    assert not Mute.objects.exists()


def test_an_unknown_fan_is_a_404(fan_client):
    assert fan_client.post("/fans/nobody_here/mute/", {"mute": "1"}).status_code == 404


def test_next_leads_back_on_this_site_only(fan_client, troll):
    back = fan_client.post(mute_url(troll), {"mute": "0", "next": "/accounts/profile/"})
    assert back.url == "/accounts/profile/"
    away = fan_client.post(mute_url(troll), {"mute": "0", "next": "https://evil.example/"})
    assert away.url == "/fans/troll_kim/"


# --- the profile page and the settings --------------------------------------------------


def test_the_profile_offers_to_mute_and_then_to_unmute(fan_client, fan, troll):
    html = fan_client.get(f"/fans/{troll.username}/").text
    assert f'action="{mute_url(troll)}"' in html
    assert 'name="mute" value="1"' in html
    mute(fan, troll)
    html = fan_client.get(f"/fans/{troll.username}/").text
    assert "You muted this fan." in html
    assert 'name="mute" value="0"' in html


def test_no_mute_button_for_anonymous_visitors_or_on_your_own_profile(client, fan_client, fan):
    assert 'name="mute"' not in client.get(f"/fans/{fan.username}/").text
    assert 'name="mute"' not in fan_client.get(f"/fans/{fan.username}/").text


def test_the_profile_still_shows_a_muted_fans_comments(fan_client, fan, troll, concern):
    make_comment(concern, author=troll, body="Loud opinion")
    mute(fan, troll)
    html = fan_client.get(f"/fans/{troll.username}/").text
    assert "Loud opinion" in html
    assert FOLDED not in html


def test_the_settings_list_muted_fans_with_a_button_to_unmute(fan_client, fan, troll):
    mute(fan, troll)
    html = fan_client.get("/accounts/profile/").text
    assert 'href="/fans/troll_kim/"' in html
    assert f'action="{mute_url(troll)}"' in html
    assert "Unmute troll_kim" in html


# --- comments collapse in threads -------------------------------------------------------


def test_a_muted_fans_comment_collapses_for_the_muter(fan_client, fan, troll, concern):
    make_comment(concern, author=troll, body="Loud opinion")
    mute(fan, troll)
    html = fan_client.get(concern.get_absolute_url()).text
    folded = html.index(FOLDED)
    assert folded < html.index("Comment by a fan you muted — show") < html.index("Loud opinion")


def test_replies_by_a_muted_fan_collapse_and_replies_to_them_stay_open(
    fan_client, fan, troll, concern
):
    top = make_comment(concern, body="A calm take")
    loud = make_comment(concern, author=troll, parent=top, body="Loud reply")
    make_comment(concern, parent=loud, body="Calm answer")
    mute(fan, troll)
    html = fan_client.get(concern.get_absolute_url()).text
    assert html.count(FOLDED) == 1
    assert html.index("A calm take") < html.index(FOLDED) < html.index("Loud reply")
    assert html.index("</details>", html.index("Loud reply")) < html.index("Calm answer")


def test_muting_takes_effect_on_the_next_page_load(fan_client, fan, troll, concern):
    make_comment(concern, author=troll)
    assert FOLDED not in fan_client.get(concern.get_absolute_url()).text
    fan_client.post(mute_url(troll), {"mute": "1"})
    assert FOLDED in fan_client.get(concern.get_absolute_url()).text
    fan_client.post(mute_url(troll), {"mute": "0"})
    assert FOLDED not in fan_client.get(concern.get_absolute_url()).text


def test_the_shared_page_of_threads_folds_nothing_for_anyone_else(fan_client, fan, troll, concern):
    make_comment(concern, author=troll, body="Loud opinion")
    mute(fan, troll)
    assert FOLDED in fan_client.get(concern.get_absolute_url()).text
    # The same kind of visitor, served the same cached page of threads.
    other = signed_in(make_user()).get(concern.get_absolute_url()).text
    assert FOLDED not in other
    assert "Loud opinion" in other
    assert FOLDED not in Client().get(concern.get_absolute_url()).text


def test_anonymous_pages_carry_no_markers(client, troll, concern):
    comment = make_comment(concern, author=troll)
    assert f"<!--by {comment.pk}-->" not in client.get(concern.get_absolute_url()).text


def test_folding_costs_one_query_only_when_others_wrote(fan_client, fan, concern, troll):
    make_comment(concern, author=fan)
    fan_client.get(concern.get_absolute_url())
    with CaptureQueriesContext(connection) as own_only:
        fan_client.get(concern.get_absolute_url())
    assert not any("accounts_mute" in q["sql"] for q in own_only.captured_queries)
    make_comment(concern, author=troll)
    fan_client.get(concern.get_absolute_url())
    with CaptureQueriesContext(connection) as others:
        fan_client.get(concern.get_absolute_url())
    assert sum("accounts_mute" in q["sql"] for q in others.captured_queries) == 1


# --- no notifications from a muted fan --------------------------------------------------


def test_a_reply_from_a_muted_fan_does_not_notify(
    django_capture_on_commit_callbacks, fan, troll, concern
):
    parent = make_comment(concern, author=fan)
    mute(fan, troll)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(troll, concern, "Still here", parent=parent)
    assert not Notification.objects.filter(recipient=fan).exists()


def test_replies_notify_again_once_unmuted(django_capture_on_commit_callbacks, fan, troll, concern):
    parent = make_comment(concern, author=fan)
    mute(fan, troll)
    unmute(fan, troll)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(troll, concern, "Back again", parent=parent)
    assert Notification.objects.filter(recipient=fan).count() == 1


def test_a_mute_only_silences_its_muter(django_capture_on_commit_callbacks, fan, troll, concern):
    other = make_user()
    parent = make_comment(concern, author=other)
    mute(fan, troll)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(troll, concern, "To someone else", parent=parent)
    assert Notification.objects.filter(recipient=other).count() == 1


def test_the_best_arguments_give_no_excerpt_of_a_muted_fan(fan_client, fan, troll, concern):
    make_comment(concern, author=troll, stance="justified", body="Loud opinion")
    mute(fan, troll)
    html = fan_client.get(concern.get_absolute_url()).text
    best = html.split('class="best-arguments"')[1].split("</section>")[0]
    assert "Loud opinion" not in best
    assert "(a fan you muted, open it below)" in best
