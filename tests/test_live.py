"""What an open concern page polls for (discussions.live): cheap, conditional, and never a leak."""

import time

import pytest
from django.urls import reverse

from discussions.authoring import post_comment
from opinion.voting import cast_vote
from tests.factories import age_account, make_comment, make_concern, make_user, make_vote


def live_url(concern):
    return reverse("discussions:concern-live", args=[concern.slug])


@pytest.fixture
def kept(settings):
    """Answers kept as long as the test needs (the test settings keep none)."""
    settings.TALLY_FRESH_SECONDS = 60


def test_the_answer_gives_the_count_the_newest_comment_and_the_tally(client, concern):
    make_comment(concern)
    newest = make_comment(concern)
    make_vote(concern, verdict="overblown")
    data = client.get(f"/concerns/{concern.slug}/live/").json()
    assert (data["comments"], data["newest"]) == (2, newest.pk)
    assert data["tally"] == {"justified": 0, "overblown": 1}
    assert "100%" in data["tally_html"] and "1 vote" in data["tally_html"]
    # What goes inside the page's #live-tally, not a second one.
    assert data["tally_html"].startswith('<div class="tally">')


def test_an_unknown_concern_is_a_404_with_a_message(client, db):
    response = client.get("/concerns/no-such-fear/live/")
    assert response.status_code == 404
    assert response.json() == {"error": "No concern with that slug."}


def test_the_same_etag_gets_a_304_without_a_body(client, concern):
    first = client.get(live_url(concern))
    again = client.get(live_url(concern), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_304_runs_no_query(client, concern, kept, django_assert_num_queries):
    etag = client.get(live_url(concern))["ETag"]
    with django_assert_num_queries(0):
        assert client.get(live_url(concern), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_kept_anonymous_answer_runs_no_query(client, concern, kept, django_assert_num_queries):
    first = client.get(live_url(concern))
    with django_assert_num_queries(0):
        again = client.get(live_url(concern))
    assert (again.status_code, again.content) == (200, first.content)


def test_a_new_comment_changes_the_answer_at_once(client, concern, fan, kept):
    first = client.get(live_url(concern))
    comment = post_comment(age_account(fan), concern, body="They will find a cure.")
    answer = client.get(live_url(concern), HTTP_IF_NONE_MATCH=first["ETag"])
    assert answer.status_code == 200
    assert answer["ETag"] != first["ETag"]
    assert (answer.json()["comments"], answer.json()["newest"]) == (1, comment.pk)


def test_a_comment_elsewhere_leaves_the_answer_as_it_was(client, concern, kept):
    etag = client.get(live_url(concern))["ETag"]
    make_comment(make_concern())
    assert client.get(live_url(concern), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_vote_changes_the_tally_in_the_answer(client, concern):
    first = client.get(live_url(concern))
    make_vote(concern, verdict="justified")
    answer = client.get(live_url(concern), HTTP_IF_NONE_MATCH=first["ETag"])
    assert answer.status_code == 200
    assert answer.json()["tally"] == {"justified": 1, "overblown": 0}


def test_a_vote_shows_once_the_kept_answer_is_a_tally_old(client, concern, settings, monkeypatch):
    settings.TALLY_FRESH_SECONDS = 1
    now = [1_900_000_000.0]
    # The clock of the page cache, which keeps anonymous answers, and of discussions.live.
    monkeypatch.setattr(time, "time", lambda: now[0])
    etag = client.get(live_url(concern))["ETag"]
    make_vote(concern)
    assert client.get(live_url(concern), HTTP_IF_NONE_MATCH=etag).status_code == 304
    now[0] += 1
    answer = client.get(live_url(concern), HTTP_IF_NONE_MATCH=etag)
    assert answer.json()["tally"] == {"justified": 1, "overblown": 0}


def test_a_fans_kept_answer_runs_no_query_but_the_sessions(
    fan_client, concern, kept, django_assert_max_num_queries
):
    etag = fan_client.get(live_url(concern))["ETag"]
    make_comment(make_concern())  # elsewhere: the content version changes, the answer not
    fan_client.get(live_url(concern))
    with django_assert_max_num_queries(2):  # the session, the fan
        assert fan_client.get(live_url(concern), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_hidden_results_never_reach_an_anonymous_visitor(client, blind):
    data = client.get(live_url(blind)).json()
    assert (data["tally"], data["results_visible"]) == (None, False)
    assert "Results are hidden until you vote" in data["tally_html"]
    assert "3 votes" not in data["tally_html"] and "%" not in data["tally_html"]


def test_hidden_results_never_reach_a_fan_who_has_not_voted(fan_client, blind, kept):
    # Not even once a fan who voted has had the figures kept for them.
    voter = make_user()
    cast_vote(voter, blind, "justified")
    fan_client.force_login(voter)
    assert fan_client.get(live_url(blind)).json()["tally"] == {"justified": 4, "overblown": 0}
    fan_client.force_login(make_user())
    data = fan_client.get(live_url(blind)).json()
    assert data["tally"] is None and "4 votes" not in data["tally_html"]


def test_a_fan_who_voted_sees_the_hidden_results(fan_client, fan, blind):
    cast_vote(fan, blind, "overblown")
    data = fan_client.get(live_url(blind)).json()
    assert data["tally"] == {"justified": 3, "overblown": 1}
    assert "4 votes" in data["tally_html"]


def test_the_etag_of_hidden_results_differs_from_the_figures(client, fan_client, fan, blind):
    hidden = client.get(live_url(blind))["ETag"]
    cast_vote(fan, blind, "overblown")
    answer = fan_client.get(live_url(blind), HTTP_IF_NONE_MATCH=hidden)
    assert answer.status_code == 200 and answer.json()["tally"] is not None


def test_anonymous_answers_may_be_kept_on_the_way(client, concern):
    response = client.get(live_url(concern))
    assert response["Cache-Control"] == "public, max-age=5"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert not response.cookies


def test_a_fans_answer_is_kept_by_their_browser_only(fan_client, concern):
    response = fan_client.get(live_url(concern))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control and "public" not in cache_control
    assert "Cookie" in response["Vary"]


def test_a_304_says_how_it_may_be_kept(client, concern):
    etag = client.get(live_url(concern))["ETag"]
    response = client.get(live_url(concern), HTTP_IF_NONE_MATCH=etag)
    assert response["Cache-Control"] == "public, max-age=5"
    assert "Accept-Language" in response["Vary"]


def test_the_answer_is_in_the_readers_language(client, concern):
    make_vote(concern)
    english = client.get(live_url(concern))
    korean = client.get(f"{live_url(concern)}?lang=ko")
    assert english["ETag"] != korean["ETag"]
    assert "100%</strong> justified" in english.json()["tally_html"]
    assert "100%</strong> 타당함" in korean.json()["tally_html"]


@pytest.mark.parametrize(
    "value",
    ["", "*", "garbage", '"unterminated', 'W/"x", "y"', "\x00\xff", '"' + "a" * 5000 + '"', ",,,"],
)
def test_odd_if_none_match_values_never_give_a_server_error(client, concern, value):
    response = client.get(live_url(concern), HTTP_IF_NONE_MATCH=value)
    assert response.status_code in (200, 304)


def test_only_gets_are_answered(client, concern):
    assert client.post(live_url(concern)).status_code == 405


def test_the_page_says_where_to_poll_and_what_to_say(client, concern, settings):
    settings.LIVE_POLL_SECONDS = 3
    html = client.get(concern.get_absolute_url()).text
    assert f'data-url="{live_url(concern)}"' in html and 'data-seconds="3"' in html
    assert 'data-one="%(count)s new comment — show"' in html
    assert 'data-other="%(count)s new comments — show"' in html
    assert '<script src="/static/js/live.js" defer></script>' in html


def test_the_new_comments_come_as_the_first_page_with_the_count(client, concern):
    older = make_comment(concern, body="Older argument")
    newest = make_comment(concern, body="Newest argument")
    html = client.get(
        concern.get_absolute_url(),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="comment-list",
    ).text
    assert "<html" not in html
    assert html.index(f'id="comment-{newest.pk}"') < html.index(f'id="comment-{older.pk}"')
    assert f'id="comment-{newest.pk}" tabindex="-1" autofocus' in html
    assert 'id="comments-heading" data-count="2" data-hx-swap-oob="true"' in html
