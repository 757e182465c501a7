"""Pages through the cache: every promise the uncached pages keep, kept when served from it."""

import re
import warnings

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone, translation

from aouad import pagecache
from caching import fresh
from caching.store import PORTABLE_KEY, cached
from caching.versions import CONTENT
from discussions.authoring import delete_comment, edit_comment, mark_helpful, post_comment
from moderation.decisions import hide_comments
from moderation.models import Rule
from news.publishing import publish_update
from opinion.voting import replay_history
from tests.factories import (
    age_account,
    make_comment,
    make_concern,
    make_moderator,
    make_newcomer,
    make_update,
    make_user,
    make_vote,
)

LANGUAGE_LABEL = "Is this fear justified?"


class PageClock:
    """The page cache's clock, moved by hand so a page goes stale exactly when told."""

    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch):
    settings.TALLY_FRESH_SECONDS = 1
    clock = PageClock()
    # The page cache stamps a page with it, and caching.fresh ages it.
    monkeypatch.setattr(pagecache, "time", clock)
    monkeypatch.setattr(fresh, "time", clock)
    return clock


def anonymous(url, **headers):
    return Client().get(url, **headers)


def served_from_cache(url, **headers):
    """Ask twice; the second answer must come from the cache."""
    anonymous(url, **headers)
    response = anonymous(url, **headers)
    assert response[pagecache.HEADER] == "hit"
    return response


# --- what is served from the cache, and to whom ---------------------------------------


def test_an_anonymous_concern_page_is_served_whole_from_the_cache(concern):
    first = anonymous(concern.get_absolute_url())
    assert first[pagecache.HEADER] == "miss"
    again = anonymous(concern.get_absolute_url())
    assert again[pagecache.HEADER] == "hit"
    assert again.content == first.content
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/api/concerns/"])
def test_the_home_page_and_the_api_are_served_from_the_cache(concern, url):
    assert served_from_cache(url).status_code == 200


def test_an_anonymous_page_carries_no_csrf_token_and_sets_no_cookie(concern):
    response = anonymous(concern.get_absolute_url())
    assert "csrfmiddlewaretoken" not in response.text
    assert not response.cookies


def test_cached_pages_say_they_differ_by_language_and_cookie(concern):
    vary = served_from_cache(concern.get_absolute_url())["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


def test_a_signed_in_fan_is_never_served_the_anonymous_page(concern, fan_client):
    anonymous(concern.get_absolute_url())
    response = fan_client.get(concern.get_absolute_url())
    assert pagecache.HEADER not in response
    assert "Log in to vote" not in response.text


def test_a_visitor_with_a_message_waiting_gets_a_page_built_for_them(concern):
    anonymous(concern.get_absolute_url())
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert pagecache.HEADER not in visitor.get(concern.get_absolute_url())


@pytest.mark.parametrize("query", ["?utm_source=x", "?page=1&page=2", "?sort=" + "x" * 40])
def test_a_query_pages_do_not_read_is_never_cached(concern, query):
    anonymous(concern.get_absolute_url() + query)
    assert pagecache.HEADER not in anonymous(concern.get_absolute_url() + query)


def test_known_queries_are_cached_each_apart(concern):
    for i in range(60):
        make_comment(concern, body=f"Argument number {i}")
    newest = served_from_cache(concern.get_absolute_url())
    older = served_from_cache(concern.get_absolute_url() + "?page=2")
    assert "Argument number 59" in newest.text and "Argument number 59" not in older.text


def test_htmx_requests_are_not_served_from_the_cache(concern):
    anonymous(concern.get_absolute_url())
    response = anonymous(concern.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert pagecache.HEADER not in response


def test_a_cache_that_is_down_serves_pages_built_afresh(concern):
    down = {
        "default": {
            "BACKEND": "caching.backends.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
    with override_settings(CACHES=down):
        make_comment(concern, body="Written while the cache is down")
        for _ in range(2):
            response = anonymous(concern.get_absolute_url())
            assert response.status_code == 200
            assert "Written while the cache is down" in response.text


# --- comments show to everyone at once -----------------------------------------------------


def test_a_new_comment_shows_to_anonymous_readers_at_once(concern):
    served_from_cache(concern.get_absolute_url())
    author = age_account(make_user())
    post_comment(author, concern, "Fresh take on the school", stance="justified")
    response = anonymous(concern.get_absolute_url())
    assert "Fresh take on the school" in response.text
    assert "1 comment" in response.text


def test_an_edited_comment_shows_at_once(concern):
    comment = make_comment(concern, body="First thought")
    served_from_cache(concern.get_absolute_url())
    edit_comment(
        comment.author, comment, body="Second thought", is_spoiler=False, stance="undecided"
    )
    html = anonymous(concern.get_absolute_url()).text
    assert "Second thought" in html and "First thought" not in html


def test_a_deleted_comment_goes_at_once(concern):
    comment = make_comment(concern, body="Regrettable words")
    served_from_cache(concern.get_absolute_url())
    delete_comment(comment.author, comment)
    assert "Regrettable words" not in anonymous(concern.get_absolute_url()).text


def test_a_hidden_comment_goes_at_once(concern):
    comment = make_comment(concern, body="Trolling the thread")
    served_from_cache(concern.get_absolute_url())
    served_from_cache("/")
    hide_comments([comment], make_moderator(), Rule.RESPECT, note="abuse")
    assert "Trolling the thread" not in anonymous(concern.get_absolute_url()).text
    assert "0 comments" in anonymous("/").text


def test_a_helpful_mark_shows_at_once(concern):
    comment = make_comment(concern, body="A fair point")
    served_from_cache(concern.get_absolute_url())
    mark_helpful(age_account(make_user()), comment)
    assert "1 fan found this helpful" in anonymous(concern.get_absolute_url()).text


def test_news_published_shows_at_once(concern):
    served_from_cache(concern.get_absolute_url())
    update = make_update(
        title="Casting news",
        effects=[(concern, "confirms")],
        status="draft",
        published_at=None,
    )
    publish_update(update)
    assert "Casting news" in anonymous(concern.get_absolute_url()).text


# --- tallies lag by a second at most -----------------------------------------------------


def test_a_cached_page_shows_a_tally_at_most_a_second_old(concern, page_cache):
    served_from_cache(concern.get_absolute_url())
    make_vote(concern, verdict="overblown")
    page_cache.now += 0.9
    assert "1 vote" not in anonymous(concern.get_absolute_url()).text
    page_cache.now += 0.1
    response = anonymous(concern.get_absolute_url())
    assert response[pagecache.HEADER] == "miss"
    assert "1 vote" in response.text


def test_the_api_tally_is_at_most_a_second_old(concern, page_cache):
    url = f"/api/concerns/{concern.slug}/"
    served_from_cache(url)
    make_vote(concern, verdict="justified")
    page_cache.now += 1
    assert anonymous(url).json()["justified"] == 1


def test_a_fan_sees_their_own_vote_at_once(concern, fan, fan_client):
    served_from_cache(concern.get_absolute_url())
    fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "overblown"})
    html = fan_client.get(concern.get_absolute_url()).text
    assert "Your vote: <strong>Overblown</strong>" in html
    assert "1 vote" in html


def test_the_chart_of_a_signed_in_page_follows_each_vote(concern, fan_client):
    make_vote(concern, verdict="justified")
    assert "100.0%" in fan_client.get(concern.get_absolute_url()).text
    make_vote(concern, verdict="overblown")
    assert "50.0%" in fan_client.get(concern.get_absolute_url()).text


# --- what a cached page must still keep ----------------------------------------------------


def test_a_vote_button_on_a_cached_page_takes_the_visitor_to_log_in(concern):
    html = served_from_cache(concern.get_absolute_url()).text
    assert f'href="/accounts/login/?next=/concerns/{concern.slug}/"' in html
    response = anonymous(concern.get_absolute_url())
    assert response.status_code == 200
    posted = Client().post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert posted.url.startswith("/accounts/login/")


def test_spoilers_stay_hidden_on_a_cached_page(concern):
    make_comment(concern, body="The principal survives", is_spoiler=True)
    html = served_from_cache(concern.get_absolute_url()).text
    spoiler = html.split('<details class="spoiler">', 1)[1].split("</details>", 1)[0]
    assert "The principal survives" in spoiler


def test_hidden_results_stay_hidden_on_cached_pages(db):
    hidden = make_concern(results_hidden_until_vote=True)
    for _ in range(3):
        make_vote(hidden, verdict="justified")
    assert "100%" not in served_from_cache(hidden.get_absolute_url()).text
    api = served_from_cache(f"/api/concerns/{hidden.slug}/").json()
    assert api["justified"] is None


def test_hidden_results_show_to_a_fan_who_voted(db, fan, fan_client):
    hidden = make_concern(results_hidden_until_vote=True)
    served_from_cache(hidden.get_absolute_url())
    make_vote(hidden, user=fan, verdict="justified")
    assert "100%" in fan_client.get(hidden.get_absolute_url()).text


def test_the_language_follows_each_visitor(concern):
    with translation.override("ko"):
        korean = translation.gettext(LANGUAGE_LABEL)
    english = served_from_cache(concern.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert LANGUAGE_LABEL in english.text
    by_header = served_from_cache(concern.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko")
    assert korean in by_header.text
    visitor = Client()
    visitor.cookies["django_language"] = "ko"
    visitor.get(concern.get_absolute_url())
    assert korean in visitor.get(concern.get_absolute_url()).text


def test_the_language_form_works_without_a_token(concern):
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert response.status_code == 302
    assert visitor.cookies["django_language"].value == "ko"


def test_the_language_form_sends_nobody_off_the_site(concern):
    response = Client().post("/i18n/setlang/", {"language": "ko", "next": "https://evil.test/"})
    assert response.url == "/"


# --- signed-in pages share their threads, each fan's own controls put in -------------------


def signed_in(user, **kwargs):
    visitor = Client(**kwargs)
    visitor.force_login(user)
    return visitor


def actions_of(html, comment):
    start = html.index(f"<!--actions {comment.pk}-->")
    return html[start : html.index(f"<!--/actions {comment.pk}-->", start)]


def test_each_fan_sees_their_own_controls_on_the_shared_threads(concern):
    jin, mi = age_account(make_user("jin")), age_account(make_user("mi"))
    by_jin, by_mi = make_comment(concern, author=jin), make_comment(concern, author=mi)
    for reader, own, other in [(jin, by_jin, by_mi), (mi, by_mi, by_jin)]:
        html = signed_in(reader).get(concern.get_absolute_url()).text
        assert "Edit" in actions_of(html, own) and "Report" not in actions_of(html, own)
        assert "Report" in actions_of(html, other) and "Edit" not in actions_of(html, other)


def test_helpful_marks_on_the_shared_threads_are_each_fans_own(concern):
    comment = make_comment(concern)
    marker, other = age_account(make_user("marker")), age_account(make_user("other"))
    mark_helpful(marker, comment)
    assert 'aria-pressed="true"' in actions_of(
        signed_in(marker).get(concern.get_absolute_url()).text, comment
    )
    assert 'aria-pressed="false"' in actions_of(
        signed_in(other).get(concern.get_absolute_url()).text, comment
    )


def test_forms_on_the_shared_threads_carry_each_fans_own_token(concern):
    comment = make_comment(concern)
    first, second = age_account(make_user("first")), age_account(make_user("second"))
    signed_in(first).get(concern.get_absolute_url())
    visitor = signed_in(second, enforce_csrf_checks=True)
    actions = actions_of(visitor.get(concern.get_absolute_url()).text, comment)
    token = actions.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = visitor.post(f"/comments/{comment.pk}/helpful/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert comment.helpful_marks.filter(user=second).exists()


NEXT = re.compile(r'name="next" value="([^"]*)"')
# A preview posts to the comments' URL; the query is whatever the poster's browser sent.
PREVIEWS = pytest.mark.parametrize(
    "query", ["?sort=top", "?sort=top&next=//evil.example&x=<script>"], ids=["sorted", "hostile"]
)


def preview(visitor, concern, query):
    response = visitor.post(
        f"/concerns/{concern.slug}/comments/{query}",
        {"body": "A draft to look at first.", "stance": "justified", "preview": "1"},
    )
    assert response.status_code == 200
    return response


@PREVIEWS
def test_shared_threads_keep_nothing_of_the_request_that_built_them(concern, query):
    make_comment(concern, body="Someone's argument.")
    previewer, reader = age_account(make_user("previewer")), age_account(make_user("reader"))
    preview(signed_in(previewer), concern, query)
    html = signed_in(reader).get(concern.get_absolute_url(), {"sort": "top"}).text
    assert "evil" not in html and "script%3E" not in html and "&lt;script" not in html
    assert f"/concerns/{concern.slug}/comments/?" not in html
    assert set(NEXT.findall(html)) == {f"/concerns/{concern.slug}/?sort=top"}


@PREVIEWS
def test_a_helpful_mark_without_javascript_comes_back_to_the_fans_own_page(concern, query):
    comment = make_comment(concern, body="Someone's argument.")
    previewer, reader = age_account(make_user("previewer")), age_account(make_user("reader"))
    preview(signed_in(previewer), concern, query)
    visitor = signed_in(reader)
    html = visitor.get(concern.get_absolute_url(), {"sort": "top"}).text
    (next_page,) = NEXT.findall(actions_of(html, comment))
    response = visitor.post(f"/comments/{comment.pk}/helpful/", {"next": next_page})
    assert response.url == f"/concerns/{concern.slug}/?sort=top#comment-{comment.pk}"


@PREVIEWS
def test_a_preview_sends_helpful_marks_back_to_the_fears_page(concern, query):
    comment = make_comment(concern, body="Someone's argument.")
    html = preview(signed_in(age_account(make_user("previewer"))), concern, query).text
    assert NEXT.findall(actions_of(html, comment)) == [f"/concerns/{concern.slug}/?sort=top"]


def test_the_shared_threads_name_each_page_by_what_it_reads(concern):
    for n in range(55):
        make_comment(concern, body=f"Argument {n}", stance="justified")
    reader = signed_in(age_account(make_user("reader")))
    html = reader.get(concern.get_absolute_url(), {"stance": "justified", "sort": "top"}).text
    older = f"/concerns/{concern.slug}/?sort=top&amp;stance=justified&amp;page=2"
    assert f'href="{older}#comments"' in html
    second = reader.get(concern.get_absolute_url(), {"page": "002", "sort": "top"}).text
    assert set(NEXT.findall(second)) == {f"/concerns/{concern.slug}/?sort=top&amp;page=2"}


def test_a_fan_without_a_confirmed_address_may_report_but_not_reply(concern):
    comment = make_comment(concern)
    unconfirmed = make_newcomer("unconfirmed")
    html = signed_in(unconfirmed).get(concern.get_absolute_url()).text
    assert "Report" in actions_of(html, comment)
    assert f"/comments/{comment.pk}/reply/" not in html


def test_anonymous_threads_leave_out_the_slots_only_fans_use(concern):
    parent = make_comment(concern, body="Top")
    leaf = make_comment(parent=parent, body="Leaf")
    html = anonymous(concern.get_absolute_url()).text
    assert f'id="replies-{parent.pk}"' in html
    assert f'id="replies-{leaf.pk}"' not in html
    assert "<!--actions" not in html


def test_shared_threads_keep_a_comments_own_spacing(concern):
    make_comment(concern, body="Two  spaces and\na new line")
    html = anonymous(concern.get_absolute_url()).text
    assert "<p>Two  spaces and<br>\na new line</p>" in html


def test_a_fans_page_reads_the_content_version_once(concern, fan_client, monkeypatch):
    make_comment(concern)
    reads = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    fan_client.get(concern.get_absolute_url())
    assert reads.count(CONTENT.key) == 1


# --- tallies: settled days kept, recent days summed ------------------------------------------


def test_a_tally_adds_kept_past_days_to_todays_votes(concern, fan_client):
    long_ago = timezone.now() - timezone.timedelta(days=20)
    past_fans = [make_user() for _ in range(3)]
    replay_history({(fan.pk, concern.pk): [(long_ago, "overblown")] for fan in past_fans})
    fan_client.get(concern.get_absolute_url())  # keeps the settled days
    make_vote(concern, verdict="justified")
    html = fan_client.get(concern.get_absolute_url()).text
    assert "(1)" in html and "(3)" in html and "4 votes" in html


def test_replayed_history_reaches_kept_tallies_at_once(concern):
    url = f"/api/concerns/{concern.slug}/"
    assert Client().get(url).json()["overblown"] == 0
    long_ago = timezone.now() - timezone.timedelta(days=20)
    replay_history({(make_user().pk, concern.pk): [(long_ago, "overblown")]})
    assert anonymous(url).json()["overblown"] == 1


def test_a_visitors_odd_query_never_makes_an_odd_cache_key(db):
    odd = ("threads", 1, "page=1' OR 1=1--&stance=\u00e9" + "x" * 300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cached(odd, lambda: "page", 60) == "page"
        assert cached(odd, lambda: "other", 60) == "page"


def test_an_odd_query_value_makes_a_portable_page_key(db, concern):
    request = RequestFactory().get(concern.get_absolute_url(), {"sort": "' OR 1=1 ë"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        key = pagecache._key(request)
        cache.get(key)
    # Encoded, it is a key every backend takes as it is.
    assert PORTABLE_KEY.fullmatch(key)
    assert "'" not in key and " " not in key


def test_a_value_holding_an_ampersand_is_kept_apart_from_two_parameters(db, concern):
    # "a&type=news" searched is not "a" searched among the news: each page is its own.
    make_comment(concern, body="A zombie type of news")
    assert anonymous("/search/?q=a%26type%3Dnews")[pagecache.HEADER] == "miss"
    assert anonymous("/search/?q=a&type=news")[pagecache.HEADER] == "miss"
