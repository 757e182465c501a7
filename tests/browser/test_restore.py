"""A moderator puts a held comment back with one click, in a real browser."""

import pytest
from playwright.sync_api import expect

from discussions.models import Comment
from moderation import decisions
from moderation.models import Report
from tests.browser.test_journeys import log_in
from tests.factories import age_account, make_comment, make_concern, make_moderator, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def held(db):
    comment = make_comment(
        make_concern(), author=age_account(make_user()), body="Nam-ra will lead them"
    )
    for n in range(4):
        decisions.report_comment(
            comment, age_account(make_user()), "harassment", address=f"198.51.100.{n}"
        )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    return comment


@pytest.mark.parametrize("where", ["queue", "page"])
def test_moderator_restores_a_held_comment_with_one_click(open_page, held, where):
    page = open_page()
    log_in(page, make_moderator("mod_restore"), "/admin/login/")
    page.goto("/admin/moderation/reportedcomment/")
    if where == "page":
        page.get_by_role("link", name="Nam-ra will lead them").click()
        scope = page.locator(".object-tools")
    else:
        scope = page.locator("#result_list tr", has_text="Nam-ra will lead them")
    scope.get_by_role("button", name="Restore").click()
    expect(page.locator(".messagelist")).to_contain_text("The comment is back on the site")
    held.refresh_from_db()
    assert held.status == Comment.Status.VISIBLE
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.DISMISSED}

    page.goto(held.concern.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Nam-ra will lead them")
