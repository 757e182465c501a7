"""Screenshots at phone and desktop sizes, nothing wider than the screen, and colours that show."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import log_in
from tests.factories import (
    age_account,
    make_comment,
    make_concern,
    make_update,
    make_user,
    make_vote,
)

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


# WCAG's contrast ratio between an element's colour (its text, border, outline
# or stroke) and the background it sits on (`around`: the one its parent sits
# on, for what is drawn outside it): the first opaque one up its ancestors.
CONTRAST = """([element, property, around]) => {
    const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
    const channel = (v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    const luminance = ([r, g, b]) =>
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    let node = around ? element.parentElement : element;
    let background = [255, 255, 255];
    for (; node; node = node.parentElement) {
        // SVG paints no background, whatever a class gives it.
        if (node instanceof SVGElement) continue;
        const colour = rgb(getComputedStyle(node).backgroundColor);
        if (colour.length < 4 || colour[3] > 0) { background = colour; break; }
    }
    const [high, low] = [luminance(rgb(getComputedStyle(element)[property])), luminance(background)]
        .sort((a, b) => b - a);
    return (high + 0.05) / (low + 0.05);
}"""


@pytest.fixture
def fan(db):
    return age_account(make_user("looks_fan"))


def contrast(locator, property, around=False):
    arguments = f"[element, {property!r}, {str(around).lower()}]"
    return locator.evaluate(f"(element) => ({CONTRAST})({arguments})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["home", "concern", "terms"])
def test_links_stand_out_from_their_background(open_page, site, name, scheme):
    page = open_page(color_scheme=scheme)
    page.goto({**site, "terms": "/terms/"}[name])
    # Not the chart's markers: SVG, drawn in strokes the chart tests check.
    links = [
        link for link in page.locator("main a:not(svg a), footer a").all() if link.is_visible()
    ]
    assert links
    weak = [
        (link.text_content(), round(ratio, 2))
        for link in links
        for ratio in [contrast(link, "color")]
        if ratio < 4.5
    ]
    assert weak == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["concern", "/notifications/mail/", "/accounts/signup/"])
def test_radio_buttons_and_check_boxes_show_their_edge(open_page, site, fan, path, scheme):
    page = open_page(color_scheme=scheme)
    if path != "/accounts/signup/":
        log_in(page, fan)
    page.goto(site.get(path, path))
    boxes = [box for box in page.locator("main .form-check-input").all() if box.is_visible()]
    assert boxes
    for box in boxes:
        assert contrast(box, "borderTopColor", around=True) >= 3


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_control_shows_a_focus_ring(open_page, site, fan, scheme):
    page = open_page(color_scheme=scheme)
    log_in(page, fan)
    page.goto(site["concern"])
    seen = 0
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.locator("*:focus")
        # Past the last control focus leaves the page, or comes round again to the
        # first: each is marked as it is reached.
        reached_before = "(e) => e.dataset.reached || !(e.dataset.reached = '1')"
        if not focused.count() or focused.evaluate(reached_before):
            break
        seen += 1
        name = focused.evaluate("(e) => e.outerHTML.slice(0, 80)")
        if focused.evaluate("(e) => e.matches('.chart-marker')"):
            # An update's marker on the chart rings its column in a stroke instead.
            ring, property, width = focused.locator(".chart-marker-hit"), "stroke", "strokeWidth"
        else:
            ring, property, width = focused, "outlineColor", "outlineWidth"
        assert ring.evaluate(f"(e) => parseFloat(getComputedStyle(e).{width})") >= 2, name
        assert contrast(ring, property, around=True) >= 3, name
    assert seen > 20
