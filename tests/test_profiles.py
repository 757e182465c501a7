"""Profiles: the page at /fans/<username>/, editing it in the settings, names in threads."""

import datetime
import json

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from accounts.models import Mute, User
from accounts.muting import mute
from aouad import pagecache
from caching.versions import CONTENT
from discussions.authoring import mark_helpful
from discussions.models import Comment
from discussions.profiles import PROFILE_COMMENTS_PER_PAGE
from privacy.deletion import delete_account
from tests.factories import (
    count_queries,
    make_comment,
    make_concern,
    make_moderator,
    make_staff,
    make_suspension,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db

SETTINGS = "/accounts/profile/"


def profile_url(fan):
    return f"/fans/{fan.username}/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def save_profile(client, **fields):
    data = {"display_name": "", "bio": "", **fields}
    return client.post(SETTINGS, data)


# --- the profile page -------------------------------------------------------------------


def test_profile_shows_name_username_bio_and_join_month(client, fan):
    fan.display_name, fan.bio = "On-jo", "Class 2-5.\nStill here."
    fan.date_joined = datetime.datetime(2025, 3, 14, tzinfo=datetime.UTC)
    fan.save()
    html = client.get(profile_url(fan)).text
    assert "On-jo" in html
    assert "@nam_onjo" in html
    assert "Class 2-5.<br>Still here." in html
    assert "March 2025" in html


def test_profile_without_a_display_name_shows_the_username(client, fan):
    html = client.get(profile_url(fan)).text
    assert "<title>nam_onjo's profile" in html


def test_profile_lookup_ignores_case_and_redirects_to_the_username(client, fan):
    response = client.get("/fans/NAM_ONJO/")
    assert response.status_code == 301
    assert response.url == "/fans/nam_onjo/"


def test_the_case_fixing_redirect_keeps_the_page_asked_for(client, fan):
    assert client.get("/fans/NAM_ONJO/?page=2").url == "/fans/nam_onjo/?page=2"


def test_unknown_username_is_a_404(client, db):
    assert client.get("/fans/nobody_here/").status_code == 404


def test_an_account_switched_off_has_no_profile(client, fan):
    fan.is_active = False
    fan.save()
    assert client.get(profile_url(fan)).status_code == 404


def test_a_deleted_account_has_no_profile(client, fan):
    url = profile_url(fan)
    delete_account(fan)
    assert client.get(url).status_code == 404


def test_a_suspended_fans_profile_still_shows(client, fan, concern):
    make_comment(concern, author=fan, body="Said before the ban")
    make_suspension(fan)
    response = client.get(profile_url(fan))
    assert response.status_code == 200
    assert "Said before the ban" in response.text


def test_profile_lists_visible_comments_newest_first_with_their_fear(client, fan):
    concern = make_concern(title="The finale")
    now = timezone.now()
    old = make_comment(
        concern, author=fan, body="Older take", created_at=now - datetime.timedelta(1)
    )
    new = make_comment(concern, author=fan, body="Newer take", created_at=now)
    html = client.get(profile_url(fan)).text
    assert html.index("Newer take") < html.index("Older take")
    assert "The finale" in html
    assert f'href="{new.get_absolute_url()}"' in html
    assert f'href="{old.get_absolute_url()}"' in html


@pytest.mark.parametrize("status", ["hidden", "held", "deleted"])
def test_profile_never_lists_comments_that_are_not_visible(client, fan, concern, status):
    make_comment(concern, author=fan, body="Not for the public", status=status)
    html = client.get(profile_url(fan)).text
    assert "Not for the public" not in html


def test_staff_see_no_more_than_anyone(fan, concern):
    make_comment(concern, author=fan, body="Hidden words", status="hidden")
    html = signed_in(make_moderator()).get(profile_url(fan)).text
    assert "Hidden words" not in html


def test_spoilers_stay_behind_their_control(client, fan, concern):
    make_comment(concern, author=fan, body="Cheong-san lives", is_spoiler=True)
    html = client.get(profile_url(fan)).text
    summary = html.index("Spoiler: show the comment")
    assert html.index('<details class="spoiler">') < summary < html.index("Cheong-san lives")


def test_counts_cover_only_visible_comments(client, fan, concern):
    shown = make_comment(concern, author=fan)
    hidden = make_comment(concern, author=fan)
    for comment in (shown, hidden, shown):
        mark_helpful(make_user(), comment)
    Comment.objects.filter(pk=hidden.pk).update(status="hidden")
    page = client.get(profile_url(fan)).context["page"]
    assert (page.comment_count, page.helpful_received) == (1, 2)


def test_comments_are_paged(client, fan, concern):
    for n in range(PROFILE_COMMENTS_PER_PAGE + 1):
        make_comment(concern, author=fan, body=f"Take number {n}")
    first = client.get(profile_url(fan)).text
    second = client.get(profile_url(fan) + "?page=2").text
    assert "Take number 0<" not in first and "Take number 0<" in second
    assert 'rel="next"' in first


def test_votes_stay_private_by_default(client, fan):
    make_vote(make_concern(title="Zombie rules"), fan, "overblown")
    html = client.get(profile_url(fan)).text
    assert "Zombie rules" not in html
    assert "Votes" not in html


def test_votes_show_when_the_fan_makes_them_public(client, fan):
    make_vote(make_concern(title="Zombie rules"), fan, "overblown")
    fan.votes_public = True
    fan.save()
    html = client.get(profile_url(fan)).text
    assert "Zombie rules" in html
    assert "Overblown" in html


def test_anonymous_profile_costs_a_handful_of_queries(client, fan, django_assert_max_num_queries):
    fan.votes_public = True
    fan.save()
    for _ in range(5):
        comment = make_comment(make_concern(), author=fan)
        mark_helpful(make_user(), comment)
        make_vote(comment.concern, fan)
    client.get(profile_url(fan))  # each comment's HTML is rendered once, then kept
    with django_assert_max_num_queries(5):
        assert client.get(profile_url(fan)).status_code == 200


def test_signed_in_profile_stays_cheap(fan, django_assert_max_num_queries):
    author = make_user()
    for _ in range(5):
        make_comment(make_concern(), author=author)
    client = signed_in(fan)
    client.get(profile_url(author))  # each comment's HTML is rendered once, then kept
    with django_assert_max_num_queries(10):
        assert client.get(profile_url(author)).status_code == 200


def test_anonymous_profile_is_kept_whole_and_a_new_name_shows_at_once(settings, fan, monkeypatch):
    settings.TALLY_FRESH_SECONDS = 60
    monkeypatch.setattr(pagecache.time, "time", lambda: 1_900_000_000.0)
    Client().get(profile_url(fan))
    assert Client().get(profile_url(fan))[pagecache.HEADER] == "hit"
    save_profile(signed_in(fan), display_name="Class president")
    response = Client().get(profile_url(fan))
    assert response[pagecache.HEADER] == "miss"
    assert "Class president" in response.text


# --- names in threads -------------------------------------------------------------------


def test_names_in_threads_link_to_profiles(client, fan, concern):
    fan.display_name = "On-jo"
    fan.save()
    make_comment(concern, author=fan)
    html = client.get(concern.get_absolute_url()).text
    assert '<a class="comment-author" href="/fans/nam_onjo/">On-jo</a>' in html
    assert "@nam_onjo" in html


def test_a_name_without_display_name_links_as_the_username(client, fan, concern):
    make_comment(concern, author=fan)
    html = client.get(concern.get_absolute_url()).text
    assert '<a class="comment-author" href="/fans/nam_onjo/">nam_onjo</a>' in html


def test_a_deleted_account_is_not_linked(client, fan, concern):
    comment = make_comment(concern, author=fan)
    make_comment(concern, parent=comment)
    delete_account(fan)
    html = client.get(concern.get_absolute_url()).text
    assert '<span class="comment-author">[deleted account]</span>' in html
    assert "/fans/nam_onjo/" not in html


def test_a_new_display_name_shows_in_cached_threads_at_once(fan_client, fan, concern):
    make_comment(concern, author=fan)
    reader = Client()
    assert "Class president" not in reader.get(concern.get_absolute_url()).text
    save_profile(fan_client, display_name="Class president")
    assert "Class president" in reader.get(concern.get_absolute_url()).text


def test_a_log_in_leaves_the_cached_threads_alone(fan, concern):
    before = CONTENT.current()
    signed_in(fan)
    fan.save(update_fields=["last_login"])
    assert CONTENT.current() == before


def test_linked_names_add_no_queries(client, concern):
    make_comment(concern)
    client.get(concern.get_absolute_url())  # each comment's HTML is rendered once, then kept
    one = count_queries(client, concern.get_absolute_url())
    for _ in range(4):
        make_comment(concern, author=make_user(display_name="Someone"))
    client.get(concern.get_absolute_url())
    assert count_queries(client, concern.get_absolute_url()) == one


# --- editing in the account settings ----------------------------------------------------


def test_profile_settings_ask_anonymous_visitors_to_log_in(client, db):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_profile_settings_are_linked_from_the_account_pages(fan_client):
    assert f'href="{SETTINGS}"' in fan_client.get("/accounts/email/").text


def test_saving_the_profile_says_so_and_shows_it(fan_client, fan):
    response = save_profile(
        fan_client, display_name="  On-jo  ", bio="Class 2-5", votes_public="on"
    )
    assert response.status_code == 302
    assert response.url == "/fans/nam_onjo/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your profile is saved."]
    fan.refresh_from_db()
    assert (fan.display_name, fan.bio, fan.votes_public) == ("On-jo", "Class 2-5", True)


def test_a_suspended_fans_profile_is_refused_beside_the_form_with_the_text_kept(fan_client, fan):
    make_suspension(fan)
    response = save_profile(fan_client, display_name="On-jo", bio="Class 2-5, still here")
    assert response.status_code == 403
    assert "Your account is suspended." in response.content.decode()
    assert "Class 2-5, still here" in response.content.decode()
    fan.refresh_from_db()
    assert (fan.display_name, fan.bio) == ("", "")


def test_a_display_name_may_not_be_another_fans_username(fan_client, fan):
    make_user("lee_cheongsan")
    response = save_profile(fan_client, display_name="Lee_CheongSan")
    assert response.status_code == 400
    assert "That is another fan&#x27;s username" in response.text
    fan.refresh_from_db()
    assert fan.display_name == ""


def test_a_display_name_may_be_the_fans_own_username(fan_client, fan):
    assert save_profile(fan_client, display_name="Nam_Onjo").status_code == 302


@pytest.mark.parametrize("name", ["Site Admin", "moderator", "운영자"])
def test_fans_may_not_sound_like_staff(fan_client, name):
    response = save_profile(fan_client, display_name=name)
    assert response.status_code == 400
    assert "kept for the staff" in response.text


def test_staff_may_call_themselves_staff(db):
    assert save_profile(signed_in(make_staff()), display_name="Moderator Kim").status_code == 302


@pytest.mark.parametrize("name", ["On\u202ejo", "On\u200bjo", "On\x07jo"])
def test_a_display_name_refuses_invisible_and_control_characters(fan_client, name):
    response = save_profile(fan_client, display_name=name)
    assert response.status_code == 400
    assert "control or invisible characters" in response.text


def test_a_bio_keeps_its_line_breaks_but_no_control_characters(fan_client, fan):
    assert save_profile(fan_client, bio="One\r\nTwo\x1b").status_code == 400
    assert save_profile(fan_client, bio="One\r\n\r\n\r\n\r\nTwo").status_code == 302
    fan.refresh_from_db()
    assert fan.bio == "One\n\nTwo"


def test_a_bio_too_long_is_refused_and_kept_in_the_form(fan_client):
    response = save_profile(fan_client, bio="z" * 301)
    assert response.status_code == 400
    assert "z" * 301 in response.text


def test_a_suspended_fan_cannot_change_their_profile(fan_client, fan):
    make_suspension(fan)
    response = save_profile(fan_client, display_name="Back again")
    assert response.status_code == 403
    fan.refresh_from_db()
    assert fan.display_name == ""


# --- what the fan takes away, and what goes with the account ----------------------------


def test_export_has_the_profile_and_the_mutes(fan_client, fan):
    fan.display_name, fan.bio, fan.votes_public = "On-jo", "Class 2-5", True
    fan.save()
    mute(fan, make_user("yoon_gwinam"))
    data = json.loads(fan_client.post("/accounts/export/").content)
    assert {k: data["profile"][k] for k in ("display_name", "bio", "votes_public")} == {
        "display_name": "On-jo",
        "bio": "Class 2-5",
        "votes_public": True,
    }
    assert [row["muted__username"] for row in data["mutes"]] == ["yoon_gwinam"]


def test_deleting_an_account_removes_its_mutes_both_ways(fan):
    other, third = make_user(), make_user()
    mute(fan, other)
    mute(third, fan)
    counts = delete_account(fan)
    assert counts["mutes deleted"] == 2
    assert not Mute.objects.exists()
    assert not User.objects.filter(username="nam_onjo").exists()


# --- the admin --------------------------------------------------------------------------


def test_the_user_admin_shows_the_profile_fields(admin_client, fan):
    html = admin_client.get(f"/admin/accounts/user/{fan.pk}/change/").text
    for field in ("display_name", "bio", "votes_public"):
        assert f'name="{field}"' in html


def test_mutes_are_a_read_only_record_in_the_admin(admin_client, fan):
    made = Mute.objects.get(pk=Mute.objects.create(muter=fan, muted=make_user()).pk)
    assert "nam_onjo" in admin_client.get("/admin/accounts/mute/").text
    assert admin_client.get("/admin/accounts/mute/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/mute/{made.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    "username", ["nul%00byte", "x" * 151, "two%20words", "%ED%95%9C%EA%B8%80%F0%9F%A7%9F"]
)
def test_what_no_username_can_be_is_a_404(client, db, username):
    assert client.get(f"/fans/{username}/").status_code == 404
    assert client.post(f"/fans/{username}/mute/", {"mute": "1"}).status_code in {302, 404}


def test_a_korean_username_has_its_profile(client, db):
    fan = make_user("남온조")
    assert client.get(fan.get_absolute_url()).status_code == 200


def test_an_account_switched_off_is_named_but_not_linked(client, fan, concern):
    make_comment(concern, author=fan)
    client.get(concern.get_absolute_url())
    fan.is_active = False
    fan.save()
    html = client.get(concern.get_absolute_url()).text
    assert '<span class="comment-author">nam_onjo</span>' in html
