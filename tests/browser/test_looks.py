"""Screenshots at phone and desktop sizes, and nothing wider than the screen."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import make_comment, make_concern, make_update, make_user, make_vote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def js():
    return True


@pytest.fixture
def site(db):
    concern = make_concern(title="Sidelined survivors", slug="sidelined-survivors")
    for verdict in ["justified"] * 5 + ["overblown"] * 3:
        make_vote(concern, verdict=verdict)
    author = make_user("a_fan_with_a_rather_long_username_indeed")
    top = make_comment(
        concern,
        author=author,
        body="A long unbroken word: " + "Supercalifragilistic" * 8,
        stance="justified",
    )
    reply = make_comment(parent=top, body="Nested once")
    deeper = make_comment(parent=reply, body="Nested twice")
    make_comment(parent=make_comment(parent=deeper, body="Thrice"), body="Four deep")
    make_comment(concern, body="Spoiler text", is_spoiler=True)
    make_update(title="Season 2 takes the outbreak to Seoul", effects=[(concern, "confirms")])
    return {"home": "/", "concern": concern.get_absolute_url(), "updates": "/updates/"}


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("name", ["home", "concern", "updates"])
def test_page_fits_the_screen(
    open_page, save_screenshot, site, name, size, viewport, scheme, language
):
    page = open_page(language=language, viewport=viewport, color_scheme=scheme)
    page.goto(site[name])
    save_screenshot(page, f"{name}-{size}-{scheme}-{language}")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner
