"""A moderator works the review queue: hides a comment for a rule, by keyboard or by buttons."""

import pytest
from playwright.sync_api import expect

from discussions.models import Comment
from moderation import decisions
from moderation.models import Rule
from tests.browser.test_journeys import log_in
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reported(concern):
    first = make_comment(concern, body="Buy followers at spam.example")
    second = make_comment(concern, body="You are all idiots")
    for comment in (first, second):
        decisions.report_comment(comment, make_user(), "spam")
    return first, second


def queue(open_page):
    admin = open_page()
    log_in(admin, make_moderator("mod_jin"), "/admin/login/")
    admin.goto("/admin/moderation/reportedcomment/")
    expect(admin.locator("#queue-keys")).to_contain_text("dismiss")
    return admin


def test_moderator_hides_with_a_reason_and_the_log_shows_it(open_page, reported, js):
    admin = queue(open_page)
    row = admin.locator("tr", has_text="You are all idiots")
    if js:
        admin.locator("body").press("j")
        while "queue-current" not in (row.get_attribute("class") or ""):
            admin.keyboard.press("j")
        admin.keyboard.press("h")
        rule = admin.locator("select[name=rule]")
        expect(rule).to_be_focused()
        rule.select_option(Rule.RESPECT)
        rule.press("Enter")
    else:
        row.locator("input[name=_selected_action]").check()
        admin.locator("select[name=action]").select_option("hide_comments")
        admin.locator("select[name=rule]").select_option(Rule.RESPECT)
        admin.get_by_role("button", name="Run").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 comment hidden.")
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {
        "You are all idiots": "hidden",
        "Buy followers at spam.example": "visible",
    }

    public = open_page()
    public.goto("/moderation/")
    expect(public.locator(".modlog-rule").first).to_contain_text(str(Rule.RESPECT.label))
    assert admin.errors == []


def test_hide_key_without_a_rule_hides_nothing(open_page, reported, js):
    if not js:
        pytest.skip("keys need JavaScript; without it the Run button is the way")
    admin = queue(open_page)
    admin.locator("body").press("j")
    admin.keyboard.press("h")
    admin.keyboard.press("Enter")
    admin.get_by_role("button", name="Run").click()
    expect(admin.locator(".messagelist")).to_contain_text("Choose the rule the comment broke")
    assert not Comment.objects.filter(status="hidden").exists()


def test_dismiss_key_dismisses_the_current_comments_reports(open_page, reported, js):
    if not js:
        pytest.skip("keys need JavaScript; without it the Run button is the way")
    admin = queue(open_page)
    admin.locator("body").press("j")
    admin.keyboard.press("d")
    expect(admin.locator(".messagelist")).to_contain_text("Reports dismissed on 1 comment.")
    assert admin.errors == []
