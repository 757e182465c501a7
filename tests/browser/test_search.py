"""Search in a real browser: the box in the header, a highlighted result, a masked spoiler."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_comment, make_concern

pytestmark = pytest.mark.django_db(transaction=True)
WORDS = "Words to look for in comments, fears and Season 2 news"


def test_a_fan_searches_from_the_header_and_opens_a_highlighted_result(open_page, js):
    concern = make_concern(title="The school", slug="the-school")
    comment = make_comment(concern, body="The rooftop scene is why the school mattered.")
    make_comment(concern, body="The rooftop ending: ||Nam-ra flies away||.")
    make_comment(concern, body="Spoiler rooftop talk.", is_spoiler=True)
    make_comment(concern, body="Nothing about the school building here.")

    page = open_page()
    page.goto("/")
    page.get_by_label("Search comments, fears and news").fill("rooftop")
    page.locator(".nav-search").get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=rooftop$"))
    expect(page.locator("h1")).to_have_text("Search")
    expect(
        page.get_by_label("Words to look for in comments, fears and Season 2 news")
    ).to_have_value("rooftop")
    # The comment marked as a spoiler is found by its author alone.
    expect(page.locator(".search-tabs [aria-current=page]")).to_contain_text("2")
    expect(page.locator(".search-result")).to_have_count(2)
    expect(page.locator(".search-snippet mark").first).to_have_text("rooftop")
    expect(page.locator("main")).not_to_contain_text("Nam-ra flies away")
    expect(page.locator("main")).not_to_contain_text("Spoiler: open the comment to read it.")

    page.get_by_role("link", name="Newest").click()
    # The newest of the two holds an inline spoiler, masked.
    expect(page.locator(".search-result").first).to_contain_text("[spoiler]")
    page.locator(".search-result a", has_text="The school").last.click()
    expect(page).to_have_url(re.compile(rf"/concerns/the-school/#comment-{comment.pk}$"))
    assert not page.errors


def test_nothing_found_says_so_and_offers_a_tip(open_page, js):
    page = open_page()
    page.goto("/search/")
    page.get_by_label(WORDS).fill("zzzzzz")
    page.locator("main").get_by_role("button", name="Search").click()
    expect(page.locator(".search-nothing")).to_contain_text("Nothing here matches “zzzzzz”.")
    expect(page.locator(".search-nothing")).to_contain_text("Tip:")
    assert not page.errors
