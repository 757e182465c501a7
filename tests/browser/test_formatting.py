"""Formatted comments in a browser: preview and quote with and without JavaScript,
inline spoilers revealed without it, and no script a fan typed ever running."""

import pytest
from playwright.sync_api import expect

from discussions.models import Comment
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_journeys import comment_card, log_in
from tests.factories import age_account, make_comment, make_concern, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def concern(db):
    return make_concern(title="Sequel syndrome", slug="sequel-syndrome")


@pytest.fixture
def fan(db):
    return age_account(make_user("format_fan"))


def test_preview_shows_the_comment_and_posts_nothing(open_page, concern, fan, js):
    page = open_page()
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    form = page.locator("#comment-form")
    form.locator("textarea[name=body]").fill("**Bold** take with ||a secret||")
    form.get_by_role("button", name="Preview").click()
    preview = page.locator(".comment-preview")
    expect(preview.locator("strong")).to_have_text("Bold")
    expect(preview.locator(".inline-spoiler")).to_have_text("a secret")
    expect(page.locator("#comment-form textarea[name=body]")).to_have_value(
        "**Bold** take with ||a secret||"
    )
    assert not Comment.objects.exists()
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(comment_card(page, "Bold take").locator("strong")).to_have_text("Bold")
    assert Comment.objects.get().body == "**Bold** take with ||a secret||"
    assert page.errors == []


def test_quote_starts_a_reply_with_the_comment_quoted(open_page, concern, fan, js):
    make_comment(concern, author=make_user("cheongsan"), body="The school *was* the point.")
    page = open_page()
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    comment_card(page, "The school").get_by_role("link", name="Quote").click()
    textarea = page.get_by_role("textbox", name="Your reply to cheongsan")
    expect(textarea).to_have_value("@cheongsan wrote:\n> The school *was* the point.\n\n")
    textarea.press("End")
    textarea.press_sequentially("Not only.")
    page.get_by_role("button", name="Post reply").click()
    reply = comment_card(page, "Not only.")
    expect(reply.locator("blockquote")).to_contain_text("The school was the point.")
    assert page.errors == []


def test_quote_adds_to_a_reply_already_started(open_page, concern, fan):
    parent = make_comment(concern, author=make_user("cheongsan"), body="Quote me")
    page = open_page(javascript=True)
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    card = comment_card(page, "Quote me")
    card.locator("summary", has_text="Reply").click()
    textarea = page.locator(f"#reply-body-{parent.pk}")
    textarea.fill("My own words first.")
    card.get_by_role("link", name="Quote").click()
    expect(textarea).to_have_value("My own words first.\n\n@cheongsan wrote:\n> Quote me\n\n")
    assert page.errors == []


def test_an_inline_spoiler_is_hidden_until_a_reader_reaches_it(open_page, concern):
    make_comment(concern, body="The ending: ||Nam-ra survives|| as I said")
    page = open_page(javascript=False)
    page.goto(concern.get_absolute_url())
    spoiler = page.locator(".inline-spoiler")
    hidden = spoiler.evaluate("node => getComputedStyle(node).color")
    assert hidden == "rgba(0, 0, 0, 0)"
    spoiler.focus()
    shown = spoiler.evaluate("node => getComputedStyle(node).color")
    assert shown != "rgba(0, 0, 0, 0)"


def test_a_script_a_fan_typed_never_runs(open_page, concern):
    make_comment(
        concern,
        body="<script>window.pwned = 1</script> [x](javascript:window.pwned=2) "
        "<img src=x onerror=window.pwned=3>",
    )
    page = open_page(javascript=True)
    page.goto(concern.get_absolute_url())
    expect(page.locator(".comment-body").first).to_contain_text("<script>")
    assert page.evaluate("window.pwned === undefined")
    assert page.locator(".comment-body a[href^=javascript]").count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_formatted_comments_pass_axe(open_page, concern, fan, scheme):
    make_user("cheongsan")
    make_comment(
        concern,
        body="**Loud** and ||a secret|| for @cheongsan\n\n> quoted\n\n- one\n- two\n\n`code`",
    )
    page = open_page(color_scheme=scheme, bypass_csp=True, javascript=True)
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    assert serious_violations(page) == []
