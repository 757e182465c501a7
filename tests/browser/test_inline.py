"""With JavaScript on, actions update the page in place and keep focus sensibly.

A value set on `window` survives only if the page was not reloaded.
"""

import pytest
from playwright.sync_api import expect

from discussions.models import Comment, HelpfulMark
from notifications.models import Follow
from tests.browser.test_journeys import comment_card, log_in
from tests.factories import age_account, make_comment, make_concern, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def js():
    return True


@pytest.fixture
def concern(db):
    return make_concern(title="Sequel syndrome", slug="sequel-syndrome")


@pytest.fixture
def page(open_page, concern):
    fan = age_account(make_user("inline_fan"))
    page = open_page()
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    page.evaluate("window.stillHere = true")
    page.fan = fan
    return page


def assert_not_reloaded(page):
    assert page.evaluate("window.stillHere === true"), "the page reloaded"
    assert page.errors == []


def focused_id(page):
    return page.evaluate("document.activeElement.id")


def test_vote_updates_tally_and_chart_in_place(page):
    page.locator("#vote-justified").click()
    expect(page.locator(".vote-panel")).to_contain_text("Your vote is in: justified.")
    expect(page.locator(".tally")).to_contain_text("100%")
    expect(page.locator("#opinion .chart-svg")).to_be_visible()
    assert focused_id(page) == "vote-justified"
    page.locator("#vote-overblown").click()
    expect(page.locator(".vote-panel")).to_contain_text("You changed your vote to overblown.")
    expect(page.locator(".tally-overblown")).to_contain_text("100%")
    assert focused_id(page) == "vote-overblown"
    assert_not_reloaded(page)


def test_helpful_mark_toggles_in_place(page, concern):
    comment = make_comment(concern, body="Worth marking")
    page.reload()
    page.evaluate("window.stillHere = true")
    button = page.locator(f"#helpful-{comment.pk}")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".helpful-count")).to_have_text("1")
    assert focused_id(page) == f"helpful-{comment.pk}"
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert not HelpfulMark.objects.exists()
    assert_not_reloaded(page)


def test_follow_toggles_in_place(page, concern):
    page.locator("#follow-button").click()
    expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "true")
    assert focused_id(page) == "follow-button"
    assert Follow.objects.get(concern=concern).is_active
    assert_not_reloaded(page)


def test_comment_appears_on_top_and_takes_focus(page, concern):
    make_comment(concern, body="An earlier take")
    page.reload()
    page.evaluate("window.stillHere = true")
    page.get_by_label("Your comment").fill("Posted without a reload")
    page.locator("#post-comment").click()
    first = page.locator("#comment-list > article.comment").first
    expect(first).to_contain_text("Posted without a reload")
    expect(first).to_be_focused()
    expect(page.get_by_label("Your comment")).to_have_value("")
    expect(page.locator("#comments-heading")).to_contain_text("2 comments")
    assert_not_reloaded(page)


def test_reply_appears_under_its_parent(page, concern):
    parent = make_comment(concern, body="Reply to me")
    page.reload()
    page.evaluate("window.stillHere = true")
    card = comment_card(page, "Reply to me")
    card.locator("summary", has_text="Reply").click()
    card.get_by_role("textbox").fill("Inline reply")
    card.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#replies-{parent.pk}")).to_contain_text("Inline reply")
    expect(page.locator(f"#replies-{parent.pk} article.comment").first).to_be_focused()
    assert Comment.objects.get(body="Inline reply").parent == parent
    assert_not_reloaded(page)


def test_refused_comment_keeps_its_text_in_place(page):
    page.get_by_label("Your comment").fill("   ")
    page.locator("#post-comment").click()
    expect(page.locator("#comment-form")).to_contain_text("Write something before posting.")
    assert not Comment.objects.exists()
    assert_not_reloaded(page)


def test_rate_limited_comment_says_when_and_keeps_text(page, settings):
    settings.RATELIMIT_ENABLE = True
    page.get_by_label("Your comment").fill("First one")
    page.locator("#post-comment").click()
    expect(page.locator("#comment-list")).to_contain_text("First one")
    page.get_by_label("Your comment").fill("Second, too soon")
    page.locator("#post-comment").click()
    expect(page.locator("#comment-form")).to_contain_text("Please try again in")
    expect(page.get_by_label("Your comment")).to_have_value("Second, too soon")
    assert_not_reloaded(page)


def test_a_refused_vote_is_said_in_place_and_can_be_put_away(page, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": "1/m"}
    page.locator("#vote-justified").click()
    expect(page.locator(".vote-panel")).to_contain_text("Your vote is in: justified.")
    page.locator("#vote-overblown").click()
    note = page.locator("#inline-refusal .inline-refusal-note")
    expect(note).to_contain_text("You're voting very fast.")
    expect(note).to_contain_text("Nothing was saved.")
    # The panel the fan acted on is left as it was.
    expect(page.locator("#vote-justified")).to_have_attribute("aria-pressed", "true")
    note.locator("summary", has_text="Dismiss").click()
    expect(note).to_be_hidden()
    assert_not_reloaded(page)


def test_load_more_appends_the_next_page(page, concern):
    author = make_user()
    for i in range(55):
        make_comment(concern, author=author, body=f"Take number {i}")
    page.reload()
    page.evaluate("window.stillHere = true")
    expect(page.locator("#comment-list > article.comment")).to_have_count(50)
    page.locator("#load-more").click()
    expect(page.locator("#comment-list > article.comment")).to_have_count(55)
    expect(page.locator("#comment-list > article.comment").nth(50)).to_be_focused()
    expect(page.locator("#load-more")).to_have_count(0)
    assert_not_reloaded(page)


def test_without_javascript_load_more_is_a_plain_link(open_page, concern):
    author = make_user()
    for i in range(55):
        make_comment(concern, author=author, body=f"Take number {i}")
    page = open_page(javascript=False)
    page.goto(concern.get_absolute_url())
    page.locator("#load-more").click()
    expect(page.locator("#comment-list > article.comment")).to_have_count(5)
    expect(page.get_by_role("link", name="Back to the newest comments")).to_be_visible()


def test_first_comment_clears_the_empty_text(page):
    expect(page.locator("#comments-empty")).to_contain_text("No comments here yet.")
    page.get_by_label("Your comment").fill("The very first take")
    page.locator("#post-comment").click()
    expect(page.locator("#comment-list")).to_contain_text("The very first take")
    expect(page.locator("#comments-empty")).to_be_empty()
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    assert_not_reloaded(page)


def test_first_comment_shows_the_fan_following(page):
    page.get_by_label("Your comment").fill("Following by commenting")
    page.locator("#post-comment").click()
    expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#follow-button")).to_contain_text("Following")
    assert_not_reloaded(page)


def test_first_vote_shows_the_fan_following(page):
    page.locator("#vote-justified").click()
    expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#follow-button")).to_contain_text("Following")
    assert focused_id(page) == "vote-justified"
    assert_not_reloaded(page)


def test_unfollow_flips_the_button_back(page, concern):
    page.locator("#follow-button").click()
    expect(page.locator("#follow-button")).to_contain_text("Following")
    page.locator("#follow-button").click()
    expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#follow-button")).to_have_text("Follow this fear")
    assert not Follow.objects.get(concern=concern).is_active
    assert_not_reloaded(page)


def test_comment_with_a_stance_joins_the_best_arguments(page):
    expect(page.locator(".best-arguments")).to_have_count(0)
    page.get_by_label("Your comment").fill("Half the cast is new")
    page.locator("#id_stance_0").check()
    page.locator("#post-comment").click()
    expect(page.locator(".best-arguments .side-justified")).to_contain_text("Half the cast is new")
    assert_not_reloaded(page)


def test_helpful_mark_reorders_the_best_arguments(page, concern):
    older = make_comment(concern, body="Older case", stance="justified")
    make_comment(concern, body="Newer case", stance="justified")
    page.reload()
    page.evaluate("window.stillHere = true")
    best = page.locator(".side-justified .best")
    expect(best.first).to_contain_text("Newer case")
    page.locator(f"#helpful-{older.pk}").click()
    expect(best.first).to_contain_text("Older case")
    expect(page.locator(f"#helpful-{older.pk} .helpful-count")).to_have_text("1")
    assert_not_reloaded(page)


def test_reply_to_a_reply_appears_under_it(page, concern):
    reply = make_comment(parent=make_comment(concern, body="Top of the thread"), body="Mid")
    page.reload()
    page.evaluate("window.stillHere = true")
    form = page.locator(f"#reply-{reply.pk}")
    form.locator("summary").click()
    form.get_by_role("textbox").fill("Reply to the reply")
    form.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#replies-{reply.pk}")).to_contain_text("Reply to the reply")
    expect(page.locator(f"#replies-{reply.pk} article.comment").first).to_be_focused()
    assert Comment.objects.get(body="Reply to the reply").parent == reply
    assert_not_reloaded(page)
