"""The opinion chart on a phone: its update markers are links a keyboard and a finger reach."""

import datetime
import re

import pytest
from django.utils import timezone

from opinion.models import VoteEvent
from tests.browser.conftest import PHONE
from tests.factories import make_concern, make_update, make_user, make_vote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(db):
    concern = make_concern(title="Sidelined survivors", slug="sidelined-survivors")
    now = timezone.now()
    for days in range(0, 120, 3):
        VoteEvent.objects.create(
            user=make_user(),
            concern=concern,
            action="cast",
            verdict="justified" if days % 2 else "overblown",
            created_at=now - datetime.timedelta(days=days),
        )
    make_vote(concern)
    update = make_update(
        title="Season 2 takes the outbreak to Seoul",
        published_at=now - datetime.timedelta(days=40),
        effects=[(concern, "confirms")],
    )
    return {"concern": concern.get_absolute_url(), "update": update.get_absolute_url()}


def tab_to_marker(page):
    for _ in range(100):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chart-marker')"):
            return page.evaluate("document.activeElement.getAttribute('href')")
    raise AssertionError("No chart marker took the focus")


def test_a_marker_is_a_link_reached_by_tab_on_a_phone(open_page, site):
    page = open_page(viewport=PHONE)
    page.goto(site["concern"])
    assert tab_to_marker(page) == site["update"]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{site['update']}")


def test_a_marker_is_named_by_its_update(open_page, site):
    page = open_page(viewport=PHONE)
    page.goto(site["concern"])
    name = re.compile(r"^Update 1, .+: Season 2 takes the outbreak to Seoul \(Confirms the fear\)$")
    link = page.get_by_role("link", name=name)
    assert link.get_attribute("class") == "chart-marker effect-confirms"


def test_a_focused_marker_shows_a_ring(open_page, site):
    page = open_page(viewport=PHONE)
    page.goto(site["concern"])
    tab_to_marker(page)
    ring = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.chart-marker-hit')).stroke"
    )
    assert ring not in {"", "none"}


def test_a_marker_is_big_enough_for_a_finger_and_its_number_readable(open_page, site):
    page = open_page(viewport=PHONE)
    page.goto(site["concern"])
    target = page.locator(".chart-marker-hit").first.bounding_box()
    number = page.locator(".chart-marker-number").first.bounding_box()
    month = page.locator(".chart-month").first.bounding_box()
    assert target["width"] >= 24 and target["height"] >= 24
    assert number["height"] >= 10 and month["height"] >= 10
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner


def test_the_line_takes_the_dark_themes_colour(open_page, site):
    page = open_page(viewport=PHONE, color_scheme="dark")
    page.goto(site["concern"])
    stroke = page.evaluate("getComputedStyle(document.querySelector('.chart-line')).stroke")
    assert stroke == "rgb(255, 122, 112)"
