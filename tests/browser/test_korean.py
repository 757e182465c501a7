"""A Korean browser session sees the Korean interface on every page of the journeys."""

import re

import pytest
from playwright.sync_api import expect

from moderation import decisions
from moderation.models import Rule
from notifications.delivery import follow_concern
from tests.browser.test_journeys import log_in
from tests.factories import (
    age_account,
    make_comment,
    make_concern,
    make_moderator,
    make_suspension,
    make_update,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

# English interface text that must not show through on Korean pages.
ENGLISH = re.compile(
    r"\b(Season 2 news|Log in|Log out|Sign up|Notifications|Justified|Overblown|Reply|"
    r"Report|Helpful|comments?|votes?|Moderation log|Language)\b"
)


@pytest.fixture
def site(db):
    concern = make_concern(title="진부한 클리셰", slug="tired-tropes", description="우려 설명.")
    fan = age_account(make_user("korean_fan"))
    other = make_comment(concern, body="다른 팬의 의견")
    make_comment(concern, author=fan, body="내 의견")
    make_update(title="서울로 간 시즌 2", summary="요약", effects=[(concern, "confirms")])
    follow_concern(fan, concern)
    decisions.hide_comments([make_comment(concern, body="스팸")], make_moderator(), Rule.SPAM)
    return {"concern": concern, "fan": fan, "other": other}


def assert_korean(page):
    assert page.evaluate("document.documentElement.lang") == "ko"
    text = page.locator("body").inner_text()
    found = ENGLISH.findall(text)
    assert found == [], f"{page.url}: {found}"


def test_korean_session_sees_korean_everywhere(open_page, site):
    page = open_page(language="ko")
    for path in ["/", "/updates/", "/accounts/signup/", "/accounts/login/", "/moderation/"]:
        page.goto(path)
        assert_korean(page)
    log_in(page, site["fan"], button="로그인")
    concern = site["concern"]
    pages = [
        concern.get_absolute_url(),
        "/notifications/",
        f"/comments/{site['other'].pk}/report/",
        "/updates/",
    ]
    for path in pages:
        page.goto(path)
        assert_korean(page)
    page.goto(concern.get_absolute_url())
    page.get_by_role("button", name="타당함", exact=True).click()
    expect(page.locator("main")).to_contain_text("투표했습니다")
    assert_korean(page)


def test_korean_suspension_notice(open_page, site):
    make_suspension(site["fan"], days=3)
    page = open_page(language="ko")
    log_in(page, site["fan"], button="로그인")
    page.goto(site["concern"].get_absolute_url())
    expect(page.locator(".suspension-notice").first).to_contain_text("계정이 이용 정지되었습니다.")
    assert_korean(page)
