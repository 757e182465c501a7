"""A fear that hides its results until the fan votes hides them again when the vote is cleared."""

import pytest

from news.models import Effect, UpdateEffect
from opinion.impacts import refresh_impacts
from opinion.models import UpdateImpact
from opinion.voting import CLEAR, cast_vote
from tests.factories import make_update

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cleared(fan, blind):
    cast_vote(fan, blind, "justified")
    cast_vote(fan, blind, CLEAR)
    return fan


def test_clearing_the_vote_hides_the_concern_page_tally_again(fan_client, cleared, blind):
    html = fan_client.get(blind.get_absolute_url()).text
    assert "Results are hidden until you vote" in html
    assert "3 votes" not in html
    assert "chart-svg" not in html


def test_clearing_the_vote_inline_answers_with_the_results_hidden(fan_client, fan, blind):
    cast_vote(fan, blind, "justified")
    html = fan_client.post(f"/concerns/{blind.slug}/vote/", {"verdict": CLEAR}, **HTMX).text
    assert "Results are hidden until you vote" in html
    assert "3 votes" not in html


def test_clearing_the_vote_hides_the_api_tally_again(fan_client, cleared, blind):
    data = fan_client.get(f"/api/concerns/{blind.slug}/").json()
    assert (data["justified"], data["overblown"], data["results_hidden"]) == (None, None, True)


def test_clearing_the_vote_takes_the_fear_out_of_the_home_ranking(fan_client, cleared, blind):
    html = fan_client.get("/").text
    assert "Results are hidden until you vote" in html
    assert '<svg class="sparkline"' not in html


def test_clearing_the_vote_hides_what_news_did_to_opinion(fan_client, cleared, blind):
    update = make_update(effects=[(blind, Effect.CONFIRMS)])
    refresh_impacts(UpdateEffect.objects.filter(update=update).select_related("update"))
    assert UpdateImpact.objects.exists()
    for url in (update.get_absolute_url(), blind.get_absolute_url()):
        html = fan_client.get(url).text
        assert "Results are hidden until you vote" in html
        assert "voting fans" not in html


def test_the_concern_feed_never_carries_a_tally(client, blind):
    body = client.get(f"/concerns/{blind.slug}/feed/").text
    assert "votes" not in body and "%" not in body
