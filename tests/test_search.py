"""Search: comments, fears and news by their words, on PostgreSQL and SQLite alike."""

import datetime
import time

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions.authoring import disown_comments, edit_comment
from discussions.models import Comment
from moderation import decisions
from news.models import SeasonUpdate
from search import engine, index
from search.forms import SearchForm
from search.results import snippet
from tests.factories import make_comment, make_concern, make_moderator, make_update, make_user

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="pg_trgm's typo tolerance is PostgreSQL's"
)


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200, response.status_code
    return response


def found(client, q, kind="comments", **params):
    """The URLs the results page lists for q."""
    page = search(client, q=q, type=kind, **params).context["page"]
    return [result.url for result in page.results]


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


# --- finding --------------------------------------------------------------------------------


def test_a_comment_is_found_by_an_english_word(client, concern):
    comment = make_comment(concern, body="The classroom scenes carried the first season.")
    make_comment(concern, body="Nothing to do with it.")
    assert found(client, "classroom") == [comment.get_absolute_url()]


def test_a_comment_is_found_by_an_english_word_in_another_form(client, concern):
    comment = make_comment(concern, body="Zombies everywhere in the trailer.")
    assert found(client, "zombie") == [comment.get_absolute_url()]


def test_a_comment_is_found_by_a_korean_word(client, concern):
    comment = make_comment(concern, body="좀비가 학교를 다시 덮칠까요?")
    make_comment(concern, body="Another thought in English.")
    assert found(client, "좀비") == [comment.get_absolute_url()]


def test_a_comment_is_found_by_a_prefix(client, concern):
    comment = make_comment(concern, body="Cheong-san's survival would be a cheat.")
    assert found(client, "surviv") == [comment.get_absolute_url()]


def test_every_word_must_match(client, concern):
    both = make_comment(concern, body="The school and the army both matter.")
    make_comment(concern, body="The school matters, nothing else.")
    assert found(client, "school army") == [both.get_absolute_url()]


@postgresql_only
def test_a_comment_is_found_by_a_typo_on_postgresql(client, concern):
    comment = make_comment(concern, body="The zombie makeup was the best part.")
    assert found(client, "zombei") == [comment.get_absolute_url()]


def test_a_result_links_to_the_comment_on_its_fear(client, concern):
    comment = make_comment(concern, body="Link me to the thread.")
    html = search(client, q="thread").text
    assert f'href="{concern.get_absolute_url()}#comment-{comment.pk}"' in html


def test_an_edited_comment_is_found_by_its_new_words_only(client, concern):
    comment = make_comment(concern, body="First draft about hallways.")
    edit_comment(
        comment.author,
        comment,
        body="Second draft about rooftops.",
        is_spoiler=False,
        stance=comment.stance,
    )
    assert found(client, "rooftops") == [comment.get_absolute_url()]
    assert found(client, "hallways") == []


@pytest.mark.parametrize(
    "status", [Comment.Status.HIDDEN, Comment.Status.HELD, Comment.Status.DELETED]
)
def test_a_comment_that_is_not_visible_is_never_found(client, concern, status):
    make_comment(concern, body="Forbidden knowledge about the principal.", status=status)
    response = search(client, q="principal")
    assert response.context["page"].results == []
    assert response.context["page"].total == 0
    assert "Forbidden knowledge" not in response.text


def test_a_fear_is_found_by_its_korean_description(client):
    fear = make_concern(
        title="Tone", description="The tone shifts.", description_ko="분위기가 바뀐다"
    )
    make_concern(title="Cast", description="The cast changes.")
    assert found(client, "분위기", kind="fears") == [fear.get_absolute_url()]


def test_a_published_update_is_found_in_either_language(client):
    update = make_update(title="Filming starts", title_ko="촬영 시작", summary="Cameras roll.")
    assert found(client, "filming", kind="updates") == [update.get_absolute_url()]
    assert found(client, "촬영", kind="updates") == [update.get_absolute_url()]


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_drafts_and_scheduled_updates_are_never_found(client, state):
    fields = {"status": SeasonUpdate.Status.DRAFT, "published_at": None}
    if state == "scheduled":
        fields = {"published_at": timezone.now() + datetime.timedelta(days=2)}
    make_update(title="Secret casting news", summary="Not yet.", **fields)
    assert found(client, "casting", kind="updates") == []


def test_each_tab_counts_its_matches(client, concern):
    make_comment(concern, body="Rooftop argument one.")
    make_comment(concern, body="Rooftop argument two.")
    make_update(title="Rooftop set photos", summary="Seen from the street.")
    tabs = search(client, q="rooftop").context["page"].tabs
    assert [(kind, count) for kind, _label, count, _current in tabs] == [
        ("comments", "2"),
        ("fears", "0"),
        ("updates", "1"),
    ]


# --- snippets -------------------------------------------------------------------------------


def test_snippets_mark_the_matches_and_escape_the_rest(client, concern):
    make_comment(concern, body="<script>alert(1)</script> the zombie & the <b>school</b>")
    html = search(client, q="zombie").text
    assert "<mark>zombie</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and "<b>school" not in html


def test_a_spoiler_comment_shows_its_author_a_neutral_line_instead_of_its_text(client, concern):
    comment = make_comment(
        concern, body="Nam-ra becomes the queen of the zombies.", is_spoiler=True
    )
    client.force_login(comment.author)
    response = search(client, q="queen")
    assert len(response.context["page"].results) == 1
    assert "Spoiler: open the comment to read it." in response.text
    assert "queen of the" not in response.text


def test_inline_spoilers_stay_masked_in_snippets(client, concern):
    make_comment(
        concern, body="The ending: ||Cheong-san survives in the end|| and the school burns."
    )
    html = search(client, q="school").text
    assert "<mark>school</mark>" in html
    assert "survives" not in html and "Cheong-san" not in html
    assert "[spoiler]" in html


def test_a_spoiler_update_shows_a_neutral_line(client):
    make_update(title="Finale leak", summary="The finale reveals everything.", is_spoiler=True)
    html = search(client, q="finale", type="updates").text
    assert "Spoiler: open the update to read it." in html
    assert "reveals everything" not in html


@pytest.mark.parametrize("sort", ["relevance", "new"])
def test_a_word_only_in_a_spoiler_updates_summary_finds_nothing(client, sort):
    make_update(title="Finale leak", summary="Cheong-san survives the outbreak.", is_spoiler=True)
    html = search(client, q="survives", type="updates", sort=sort).text
    assert "Finale leak" not in html


def test_a_spoiler_update_is_still_found_by_its_title(client):
    make_update(title="Finale leak", summary="Cheong-san survives the outbreak.", is_spoiler=True)
    assert "Finale leak" in search(client, q="finale", type="updates").text


def test_an_update_that_is_no_spoiler_is_found_by_its_summary(client):
    make_update(title="Set photos", summary="Cheong-san survives the outbreak.")
    assert "Set photos" in search(client, q="survives", type="updates").text


def test_a_snippet_is_cut_around_the_first_match():
    text = "filler " * 80 + "the zombie arrives " + "more " * 80
    html = str(snippet(text, ["zombie"]))
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>zombie</mark>" in html and len(html) < 300


def test_a_page_of_snippets_after_one_long_word_each_takes_no_time():
    # A comment may be a 5,000-letter word: marking must not backtrack over it at every letter.
    terms = ["zombie", "school", "teacher", "rooftop", "radio", "phone", "class", "hyosan"]
    text = "a" * 4990 + " zombie"
    started = time.perf_counter()
    for _ in range(20):
        snippet(text, terms)
    assert time.perf_counter() - started < 2


def test_a_masked_spoiler_is_never_marked_even_when_it_holds_the_word():
    html = str(snippet("Before ||zombie twist|| after zombie", ["zombie"]))
    assert html.count("<mark>") == 1 and "twist" not in html


# --- spoilers: found by nobody but their author ---------------------------------------------

WHOLE = {"body": "Nam-ra becomes the queen of the zombies.", "is_spoiler": True}
INLINE = {"body": "The rooftop scene: ||Nam-ra becomes the queen|| of the school."}
SPOILERS = pytest.mark.parametrize("spoiler", [WHOLE, INLINE], ids=["whole", "inline"])
BOTH_ORDERS = pytest.mark.parametrize("sort", ["relevance", "new"])


@SPOILERS
@BOTH_ORDERS
def test_a_word_only_inside_a_spoiler_finds_nothing_for_a_visitor(client, concern, spoiler, sort):
    make_comment(concern, **spoiler)
    page = search(client, q="queen", sort=sort).context["page"]
    assert page.results == [] and page.total == 0


@SPOILERS
def test_a_word_only_inside_a_spoiler_finds_nothing_for_another_fan(client, concern, spoiler):
    make_comment(concern, **spoiler)
    client.force_login(make_user())
    assert found(client, "queen") == []
    assert found(client, "becomes queen") == []


@SPOILERS
@BOTH_ORDERS
def test_the_author_finds_their_own_spoiler_by_its_words(client, concern, spoiler, sort):
    comment = make_comment(concern, **spoiler)
    client.force_login(comment.author)
    assert found(client, "queen", sort=sort) == [comment.get_absolute_url()]


def test_the_author_finds_their_own_spoiler_among_others_comments(client, concern):
    theirs = make_comment(concern, body="A queen of the hallway, out in the open.")
    mine = make_comment(concern, **INLINE)
    client.force_login(mine.author)
    assert set(found(client, "queen")) == {theirs.get_absolute_url(), mine.get_absolute_url()}
    assert found(client, "queen", sort="new") == [
        mine.get_absolute_url(),
        theirs.get_absolute_url(),
    ]


def test_words_outside_an_inline_spoiler_still_find_the_comment(client, concern):
    comment = make_comment(concern, **INLINE)
    assert found(client, "rooftop") == [comment.get_absolute_url()]


def test_a_short_word_only_inside_a_spoiler_finds_nothing(client, concern):
    # Words under three characters take another path on SQLite (LIKE, not trigrams).
    make_comment(concern, body="Who lives? ||Su-hyeok is ok|| in the end.")
    assert found(client, "ok") == []


def test_the_spoiler_mask_itself_is_no_word_to_find(client, concern):
    make_comment(concern, **INLINE)
    assert found(client, "spoiler") == []


@postgresql_only
def test_a_typo_finds_no_spoiler_word_on_postgresql(client, concern):
    make_comment(concern, body="Who lives? ||The zombie queen rules|| the school.")
    assert found(client, "zombei") == []
    assert found(client, "qeen") == []


def test_a_comment_moderators_mark_as_spoiler_drops_out_of_search(client, concern):
    comment = make_comment(concern, body="Nam-ra becomes the queen of the zombies.")
    assert found(client, "queen") == [comment.get_absolute_url()]
    decisions.mark_as_spoiler([comment], make_moderator())
    assert found(client, "queen") == []


def test_words_an_edit_puts_inside_a_spoiler_drop_out_of_search(client, concern):
    comment = make_comment(concern, body="Nam-ra becomes the queen of the zombies.")
    edit_comment(
        comment.author,
        comment,
        body="Nam-ra becomes ||the queen|| of the zombies.",
        is_spoiler=False,
        stance=comment.stance,
    )
    assert found(client, "queen") == []
    assert found(client, "zombies") == [comment.get_absolute_url()]


def test_migrate_works_out_the_words_of_comments_written_before_it(client, concern):
    comment = make_comment(concern, **INLINE)
    Comment.objects.filter(pk=comment.pk).update(text_outside_spoilers=None)
    assert found(client, "rooftop") == []  # not worked out yet: nobody else finds it
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert found(client, "rooftop") == [comment.get_absolute_url()]
    assert found(client, "queen") == []


def test_an_erased_comment_leaves_no_word_for_search(concern):
    comment = make_comment(concern, **INLINE)
    disown_comments(comment.author, timezone.now())
    comment.refresh_from_db()
    assert "rooftop" not in comment.text_outside_spoilers


# --- order and paging -----------------------------------------------------------------------


def test_sort_new_lists_the_newest_first(client, concern):
    old = make_comment(concern, body="Rooftop rooftop rooftop.", created_at=ago(days=3))
    new = make_comment(concern, body="A long story that mentions the rooftop once.")
    assert found(client, "rooftop", sort="new") == [new.get_absolute_url(), old.get_absolute_url()]


def test_sort_relevance_lists_the_best_match_first(client, concern):
    best = make_comment(concern, body="Rooftop rooftop rooftop.", created_at=ago(days=3))
    other = make_comment(
        concern, body="A long story of hallways, classrooms and gyms, one rooftop, and the end."
    )
    urls = [best.get_absolute_url(), other.get_absolute_url()]
    assert found(client, "rooftop", sort="relevance") == urls
    assert found(client, "rooftop") == urls  # relevance is the default


def test_results_come_twenty_a_page(client, concern):
    for n in range(25):
        make_comment(concern, body=f"Hallway argument {n}", created_at=ago(minutes=n))
    first = search(client, q="hallway", sort="new").context["page"]
    second = search(client, q="hallway", sort="new", page="2").context["page"]
    assert len(first.results) == 20 and len(second.results) == 5
    assert second.results[-1].snippet.endswith("24")


def test_past_the_cap_a_tab_says_so_and_pages_stop_there(client, concern, monkeypatch):
    monkeypatch.setattr(engine, "MAX_COUNT", 3)
    monkeypatch.setattr("search.results.MAX_COUNT", 3)
    for n in range(5):
        make_comment(concern, body=f"Capped gym note {n}.", created_at=ago(minutes=n))
    page = search(client, q="capped").context["page"]
    assert page.tabs[0][2] == "3+"
    assert len(page.results) == 3
    # The best match is the best of the newest three.
    assert {r.snippet.rstrip(".")[-1] for r in page.results} == {"0", "1", "2"}


def test_the_query_count_stays_flat_as_results_grow(client, concern):
    for n in range(engine.FEW):
        make_comment(concern, body=f"Gym scene {n}.")
    with CaptureQueriesContext(connection) as one:
        search(client, q="gym")
    for n in range(15):
        make_comment(concern, body=f"Gym scene {n}.")
    with CaptureQueriesContext(connection) as many:
        search(client, q="gym")
    assert len(many) == len(one)


# --- the form and bad input -----------------------------------------------------------------


def test_the_page_without_a_query_shows_the_form(client):
    response = search(client)
    assert 'name="q"' in response.text and "Nothing here" not in response.text
    assert "Type a word or two" not in response.text


def test_an_empty_query_is_refused_with_a_clear_message(client):
    response = search(client, q="   ")
    assert "Type a word or two to search for." in response.text


def test_no_results_says_so_with_a_tip(client, concern):
    response = search(client, q="nonexistentword")
    assert "Nothing here matches “nonexistentword”." in response.text
    assert "Tip:" in response.text


def test_the_form_trims_and_caps_the_query():
    form = SearchForm({"q": "  zombie   school \x00 " + "x" * 500})
    assert form.is_valid()
    assert form.cleaned_data["q"].startswith("zombie school x")
    assert len(form.cleaned_data["q"]) == 200


def test_unknown_sort_and_type_fall_back_to_the_defaults(client, concern):
    page = search(client, q="zombie", sort="oldest", type="users").context["page"]
    assert (page.order, page.kind) == ("relevance", "comments")


HOSTILE = [
    '"',
    '""',
    "'",
    "zombie AND",
    "OR",
    "NOT zombie",
    "zombie NEAR school",
    "NEAR(zombie school, 2)",
    "*",
    "zom*",
    "body:zombie",
    "text:zombie",
    "^zombie",
    "(zombie",
    "zombie)",
    "-zombie",
    "zombie -",
    ":",
    "!",
    "&|!",
    "\\",
    "%_%",
    "a\x00b",
    "\x00",
    "x" * 5000,
    "좀" * 300,
    "🧟 zombie 🧟‍♀️",
    "'; DROP TABLE discussions_comment; --",
    "1 OR 1=1",
    "zombie:* & school",
    "<script>alert(1)</script>",
    "\u202e\u200b",
    "___",
    "a b c d e f g h i j k l m n",
]


@pytest.mark.parametrize("q", HOSTILE)
@pytest.mark.parametrize("sort", ["relevance", "new"])
def test_hostile_queries_never_give_a_server_error(client, concern, q, sort):
    make_comment(concern, body="A zombie at school, 좀비 학교.")
    for kind in ("comments", "fears", "updates"):
        response = client.get("/search/", {"q": q, "sort": sort, "type": kind, "page": "2"})
        assert response.status_code == 200, (q, kind)


@pytest.mark.parametrize(
    "raw", ["q=%ED%A0%80zombie%ED%BF%BF", "q=%FF%FE", "q=%00", "q=a&q=b", "q=%C0%AF", "q"]
)
def test_invalid_utf8_surrogates_and_repeats_never_give_a_server_error(client, concern, raw):
    assert client.get(f"/search/?{raw}").status_code == 200


def test_lone_surrogates_are_dropped_from_the_query():
    form = SearchForm({"q": "\ud800zombie\udfff"})
    assert form.is_valid() and form.cleaned_data["q"] == "zombie"


def test_any_text_never_gives_a_server_error(client, concern, settings):
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "100000/m"}
    make_comment(concern, body="A zombie at school, 좀비 학교.")

    @hypothesis.settings(max_examples=60, deadline=None, database=None)
    @hypothesis.given(
        q=strategies.text(max_size=120), sort=strategies.sampled_from(["relevance", "new"])
    )
    def check(q, sort):
        assert client.get("/search/", {"q": q, "sort": sort}).status_code == 200

    check()


# --- around the page ------------------------------------------------------------------------


def test_every_page_has_the_search_box_in_its_header(client, concern):
    html = client.get("/").text
    assert 'action="/search/"' in html and 'for="site-search"' in html


def test_searches_are_rate_limited_per_address(client, concern, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/m"}
    assert client.get("/search/", {"q": "one"}).status_code == 200
    assert client.get("/search/", {"q": "two"}).status_code == 200
    refused = client.get("/search/", {"q": "three"})
    assert refused.status_code == 429
    assert "Too many searches from your network." in refused.text


def test_the_form_alone_is_not_counted_against_the_limit(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    for _ in range(3):
        assert client.get("/search/").status_code == 200


def test_robots_txt_keeps_crawlers_out_of_search(client):
    assert "Disallow: /search/" in client.get("/robots.txt").text.splitlines()


def test_the_results_page_asks_not_to_be_indexed(client):
    assert '<meta name="robots" content="noindex">' in search(client, q="zombie").text


def test_search_fields_as_printed_in_the_readme(client, concern):
    comment = make_comment(concern, body="As printed in the contract.")
    response = client.get("/search/?q=printed&sort=new&type=comments&page=1")
    assert response.status_code == 200
    assert [r.url for r in response.context["page"].results] == [comment.get_absolute_url()]


def test_an_anonymous_search_page_is_served_from_the_cache_until_content_changes(
    client, concern, settings
):
    settings.TALLY_FRESH_SECONDS = 60
    make_comment(concern, body="Cached gym talk.")
    assert client.get("/search/", {"q": "gym"})["X-Page-Cache"] == "miss"
    assert client.get("/search/", {"q": "gym"})["X-Page-Cache"] == "hit"
    newer = make_comment(concern, body="Fresh gym talk.")
    response = client.get("/search/", {"q": "gym"})
    assert response["X-Page-Cache"] == "miss"
    assert newer.get_absolute_url() in response.text


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 triggers")
def test_sqlite_puts_back_the_triggers_a_rebuilt_table_lost(client, concern):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_comment_fts_insert")
    missed = make_comment(concern, body="Written while the trigger was gone.")
    index.repair(connection)
    assert found(client, "trigger") == [missed.get_absolute_url()]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 triggers")
def test_migrate_puts_back_the_triggers_a_rebuilt_table_lost(client, concern):
    # As `migrate` ends: search has no models, and Django signals only apps that have.
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_comment_fts_insert")
    missed = make_comment(concern, body="Written while the trigger was gone.")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert found(client, "trigger") == [missed.get_absolute_url()]
