"""axe-core on the pages fans use: no serious or critical violations."""

import itertools
from pathlib import Path

import pytest

from discussions.featuring import feature_article
from moderation import decisions
from moderation.models import Rule
from notifications.delivery import follow_concern
from tests.browser.test_journeys import log_in
from tests.factories import (
    age_account,
    make_article,
    make_comment,
    make_concern,
    make_moderator,
    make_update,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "assets" / "axe.min.js"
PAGES = [
    "/",
    "CONCERN",
    "/updates/",
    "UPDATE",
    "/accounts/signup/",
    "/accounts/login/",
    # Where sign-up, and log-in before confirming, lead.
    "/accounts/confirm-email/",
    "/notifications/",
    "/moderation/",
    "/rules/",
    "/terms/",
    "/takedown/",
    "/search/?q=x",
    "/search/?q=school",
    "SECOND_ARTICLE",
    "/fans/a11y_fan/",
    "/accounts/profile/",
]


@pytest.fixture
def js():
    return True


@pytest.fixture
def site(db):
    concern = make_concern(title="Tired tropes", slug="tired-tropes")
    for verdict in ["justified", "justified", "overblown"]:
        make_vote(concern, verdict=verdict)
    top = make_comment(concern, body="The school was the point.", stance="justified")
    make_comment(parent=top, body="A reply with a link https://example.com/x")
    make_comment(concern, body="Nam-ra lives", is_spoiler=True, stance="overblown")
    update = make_update(title="Seoul", effects=[(concern, "confirms")])
    decisions.hide_comments([make_comment(concern, body="spam")], make_moderator(), Rule.SPAM)
    fan = age_account(make_user("a11y_fan"))
    follow_concern(fan, concern)
    # A second article, so the home page lists "More articles" after the featured one.
    feature_article(concern.article)
    second = make_article(title="How Season 1 ended", author="A. Writer", publication="Fan Weekly")
    make_concern(second, title="Losses undone", slug="losses-undone")
    return {
        "CONCERN": concern.get_absolute_url(),
        "UPDATE": update.get_absolute_url(),
        "SECOND_ARTICLE": second.get_absolute_url(),
        "fan": fan,
    }


def serious_violations(page):
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag", values: [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"
        ]}})"""
    )
    return [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(open_page, site, path, scheme):
    page = open_page(color_scheme=scheme, bypass_csp=True)
    if path in {"/notifications/", "/accounts/profile/"}:
        log_in(page, site["fan"])
    page.goto(site.get(path, path))
    for details in page.locator("details").all():
        if details.is_visible():
            details.locator("summary").first.click()
    assert serious_violations(page) == []


def test_signed_in_concern_page_with_forms(open_page, site):
    page = open_page(bypass_csp=True)
    log_in(page, site["fan"])
    page.goto(site["CONCERN"])
    assert serious_violations(page) == []


@pytest.mark.parametrize(("language", "lang"), [("en", "en"), ("ko", "ko")])
def test_pages_declare_their_language(open_page, site, language, lang):
    page = open_page(language=language)
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == lang


def test_landmarks_and_heading_order(open_page, site):
    page = open_page()
    page.goto(site["CONCERN"])
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    assert page.get_by_role("navigation", name="Main").count() == 1
    levels = page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1])"
    )
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_chart_table_is_reachable(open_page, site):
    page = open_page()
    page.goto(site["CONCERN"])
    summary = page.locator(".chart-data summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name="Votes and share justified in each month with votes")
    assert table.is_visible()


def test_focus_is_visible(open_page, site):
    page = open_page()
    page.goto("/")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in {"", "none"}
