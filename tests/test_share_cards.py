"""Share cards: the Open Graph and Twitter tags of concern and update pages, and their PNG."""

from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import checks
from django.utils import timezone
from PIL import Image

from discussions import cards
from discussions.checks import share_card_fonts
from discussions.models import Concern
from discussions.pages import with_current_tallies
from news.models import SeasonUpdate
from tests.factories import (
    make_concern,
    make_curator,
    make_update,
    make_user,
    make_vote,
)

SITE_URL = django_settings.SITE_URL

SUMMARY = "Cheong-san walks out of the smoke in the final scene."
SPOILER_LINE = "This update contains spoilers. Open it on the site to read the summary."


class Head(HTMLParser):
    """The page's <meta> tags by property or name, and its canonical link."""

    def __init__(self, html):
        super().__init__()
        self.meta, self.canonical = {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]


def head_of(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200
    return Head(response.text)


def tallied(concern):
    return with_current_tallies(Concern.objects.filter(pk=concern.pk))[0]


def png_size(data):
    return Image.open(BytesIO(data)).size


def vote_on(concern, justified, overblown):
    for _ in range(justified):
        make_vote(concern, verdict="justified")
    for _ in range(overblown):
        make_vote(concern, verdict="overblown")


# --- the tags --------------------------------------------------------------------------


@pytest.mark.django_db
def test_concern_page_has_share_tags_with_absolute_urls(client):
    concern = make_concern(
        title="A copy of Hyosan High",
        description="The new school will feel the same. Fans saw it all in season one.",
    )
    head = head_of(client, f"/concerns/{concern.slug}/")
    url = f"{SITE_URL}/concerns/{concern.slug}/"
    assert head.canonical == url
    assert head.meta["og:url"] == url
    assert head.meta["og:type"] == "article"
    assert head.meta["og:site_name"] == "Season 2 Fear Check"
    assert head.meta["og:locale"] == "en_US"
    assert head.meta["og:title"] == head.meta["twitter:title"] == "A copy of Hyosan High"
    # One sentence of the description, our own words.
    assert head.meta["og:description"] == "The new school will feel the same."
    assert head.meta["twitter:description"] == "The new school will feel the same."
    card = f"{SITE_URL}/concerns/{concern.slug}/card.png?lang=en"
    assert head.meta["og:image"] == head.meta["twitter:image"] == card
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == ("1200", "630")
    assert head.meta["og:image:alt"].startswith("A copy of Hyosan High")
    assert head.meta["twitter:card"] == "summary_large_image"


@pytest.mark.django_db
def test_long_description_is_cut_to_one_line(client):
    concern = make_concern(description="Zombies " * 60)
    description = head_of(client, f"/concerns/{concern.slug}/").meta["og:description"]
    assert len(description) <= 160
    assert description.endswith("…")


@pytest.mark.django_db
def test_korean_page_names_korean_locale_and_korean_card(client, concern):
    head = head_of(client, f"/concerns/{concern.slug}/", headers={"accept-language": "ko"})
    assert head.meta["og:locale"] == "ko_KR"
    assert head.meta["og:site_name"] == "시즌 2 우려 점검"
    assert head.meta["og:image"].endswith("/card.png?lang=ko")


@pytest.mark.django_db
def test_canonical_url_drops_listing_parameters(client, concern):
    head = head_of(client, f"/concerns/{concern.slug}/?sort=top&page=1")
    assert head.canonical == f"{SITE_URL}/concerns/{concern.slug}/"


@pytest.mark.django_db
def test_canonical_url_keeps_the_language_the_url_names(client, concern):
    head = head_of(client, f"/concerns/{concern.slug}/?lang=ko")
    assert head.canonical == f"{SITE_URL}/concerns/{concern.slug}/?lang=ko"
    assert head.meta["og:locale"] == "ko_KR"


@pytest.mark.django_db
def test_a_forged_host_is_refused_not_written_into_the_tags(client, concern):
    response = client.get(f"/concerns/{concern.slug}/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert b"evil.example" not in response.content


def test_canonical_url_is_on_the_site_address_whichever_host_was_asked(client, concern, settings):
    settings.ALLOWED_HOSTS = ["fears.example", "www.fears.example"]
    settings.SITE_URL = "https://fears.example"
    head = head_of(client, f"/concerns/{concern.slug}/", HTTP_HOST="www.fears.example")
    assert head.canonical == f"https://fears.example/concerns/{concern.slug}/"
    assert head.meta["og:image"].startswith("https://fears.example/")


@pytest.mark.django_db
def test_update_page_has_share_tags_with_absolute_urls(client):
    update = make_update(title="Filming wrapped", summary=SUMMARY, source_name="Netflix")
    head = head_of(client, f"/updates/{update.slug}/")
    url = f"{SITE_URL}/updates/{update.slug}/"
    assert head.canonical == head.meta["og:url"] == url
    assert head.meta["og:title"] == "Filming wrapped"
    assert head.meta["og:description"] == SUMMARY
    assert head.meta["og:image"] == f"{SITE_URL}/updates/{update.slug}/card.png?lang=en"
    assert head.meta["twitter:card"] == "summary_large_image"


@pytest.mark.django_db
def test_spoiler_update_tags_never_carry_the_summary(client):
    update = make_update(summary=SUMMARY, is_spoiler=True)
    response = client.get(f"/updates/{update.slug}/")
    head = Head(response.text)
    neutral = "This update contains spoilers."
    assert head.meta["og:description"] == head.meta["twitter:description"] == neutral
    tags = " ".join(value for value in head.meta.values() if value)
    assert "Cheong-san" not in tags


@pytest.mark.django_db
def test_home_page_shares_the_site_without_a_card(client, concern):
    head = head_of(client, "/")
    assert head.canonical == head.meta["og:url"] == f"{SITE_URL}/"
    assert head.meta["og:title"] == "Season 2 Fear Check · All of Us Are Dead"
    assert head.meta["og:type"] == "website"
    assert head.meta["twitter:card"] == "summary"
    assert "og:image" not in head.meta


# --- what a card says ------------------------------------------------------------------


@pytest.mark.django_db
def test_concern_card_states_tally_interval_and_votes():
    concern = make_concern(title="A copy of Hyosan High")
    vote_on(concern, 3, 1)
    card = cards.concern_text(tallied(concern), "en")
    assert card.title == "A copy of Hyosan High"
    assert card.figure == "75% justified"
    assert card.details[0] == "95% range 30\u201395% · 4 votes"
    assert card.bar == 0.75


@pytest.mark.django_db
def test_hidden_results_card_shows_no_tally():
    concern = make_concern(title="Blind fear", results_hidden_until_vote=True)
    vote_on(concern, 3, 1)
    card = cards.concern_text(tallied(concern), "en")
    assert card.lines == [
        "Season 2 Fear Check · All of Us Are Dead",
        "Blind fear",
        "Vote to see the verdict",
    ]
    assert card.bar is None
    assert card.alt == "Blind fear. Vote to see the verdict"


@pytest.mark.django_db
def test_hidden_results_card_differs_from_the_shown_one():
    concern = make_concern(title="Blind fear")
    vote_on(concern, 3, 1)
    shown = cards.concern_card(tallied(concern), "en")
    Concern.objects.filter(pk=concern.pk).update(results_hidden_until_vote=True)
    hidden = cards.concern_card(tallied(concern), "en")
    assert hidden != shown


@pytest.mark.django_db
def test_hidden_results_page_alt_text_has_no_tally(client):
    concern = make_concern(title="Blind fear", results_hidden_until_vote=True)
    vote_on(concern, 3, 1)
    alt = head_of(client, f"/concerns/{concern.slug}/").meta["og:image:alt"]
    assert alt == "Blind fear. Vote to see the verdict"


@pytest.mark.django_db
def test_korean_card_is_in_korean():
    concern = make_concern(title="효산고의 복사판")
    card = cards.concern_text(tallied(concern), "ko")
    assert card.header == "시즌 2 우려 점검 · 지금 우리 학교는"
    assert card.details == ("아직 투표가 없습니다. 먼저 의견을 내 보세요.",)


@pytest.mark.django_db
def test_update_card_lists_its_fears_with_effects_and_tallies():
    shown = make_concern(title="Copycat school", position=1)
    hidden = make_concern(title="Blind fear", position=2, results_hidden_until_vote=True)
    vote_on(shown, 1, 1)
    vote_on(hidden, 2, 0)
    update = make_update(
        title="Filming wrapped",
        source_name="Netflix",
        summary=SUMMARY,
        effects=[(shown, "confirms"), (hidden, "eases")],
    )
    concerns = with_current_tallies(Concern.objects.affected_by(update))
    card = cards.update_text(update, concerns, "en")
    assert card.title == "Filming wrapped"
    assert card.body[0][1].endswith(" · Source: Netflix")
    assert card.body[1][1] == SUMMARY
    rows = [(row.effect, row.text, row.figure) for row in card.rows]
    assert rows == [
        ("confirms", "Confirms the fear: Copycat school", "50% justified"),
        ("eases", "Eases the fear: Blind fear", ""),
    ]


@pytest.mark.django_db
def test_spoiler_update_card_draws_no_summary():
    update = make_update(summary=SUMMARY, is_spoiler=True)
    card = cards.update_text(update, [], "en")
    assert not any("Cheong-san" in line for line in card.lines)
    assert SPOILER_LINE in card.lines


@pytest.mark.django_db
def test_update_card_counts_the_fears_it_leaves_out():
    concerns = [make_concern() for _ in range(5)]
    update = make_update(effects=[(concern, "unclear") for concern in concerns])
    card = cards.update_text(
        update, with_current_tallies(Concern.objects.affected_by(update)), "en"
    )
    assert len(card.rows) == 3
    assert card.more == "and 2 more fears"


# --- the PNG ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_concern_card_is_a_public_1200_by_630_png(client, concern):
    vote_on(concern, 2, 1)
    response = client.get(f"/concerns/{concern.slug}/card.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert response["ETag"]
    assert png_size(response.content) == (1200, 630)


@pytest.mark.django_db
def test_update_card_is_a_1200_by_630_png(client, concern):
    update = make_update(effects=[(concern, "confirms")])
    response = client.get(f"/updates/{update.slug}/card.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (1200, 630)


@pytest.mark.django_db
def test_head_answers_without_the_image(client, concern):
    response = client.head(f"/concerns/{concern.slug}/card.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == b""


@pytest.mark.django_db
def test_post_to_a_card_is_not_allowed(client, concern):
    assert client.post(f"/concerns/{concern.slug}/card.png").status_code == 405


@pytest.mark.django_db
def test_unchanged_card_answers_304(client, concern):
    etag = client.get(f"/concerns/{concern.slug}/card.png")["ETag"]
    again = client.get(f"/concerns/{concern.slug}/card.png", headers={"if-none-match": etag})
    assert again.status_code == 304


@pytest.mark.django_db
def test_card_is_drawn_again_only_when_the_tally_changes(client, concern, monkeypatch):
    drawn = []
    real_draw = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card: drawn.append(card) or real_draw(card))
    url = f"/concerns/{concern.slug}/card.png"
    first = client.get(url)
    assert client.get(url).content == first.content
    assert len(drawn) == 1
    make_vote(concern, verdict="justified")
    assert client.get(url).content != first.content
    assert len(drawn) == 2


@pytest.mark.django_db
def test_cached_concern_card_costs_one_query(client, concern, django_assert_num_queries):
    url = f"/concerns/{concern.slug}/card.png"
    client.get(url)
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_cached_update_card_costs_two_queries(client, concern, django_assert_num_queries):
    url = f"/updates/{make_update(effects=[(concern, 'eases')]).slug}/card.png"
    client.get(url)
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_hidden_results_card_is_not_redrawn_by_votes(client, monkeypatch):
    concern = make_concern(results_hidden_until_vote=True)
    drawn = []
    real_draw = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card: drawn.append(card) or real_draw(card))
    url = f"/concerns/{concern.slug}/card.png"
    client.get(url)
    make_vote(concern, verdict="justified")
    client.get(url)
    assert len(drawn) == 1


@pytest.mark.django_db
def test_card_follows_the_request_language(client, monkeypatch):
    concern = make_concern(title="Copycat school")
    drawn = []
    real_draw = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card: drawn.append(card) or real_draw(card))
    client.get(f"/concerns/{concern.slug}/card.png?lang=ko")
    client.get(f"/concerns/{concern.slug}/card.png", headers={"accept-language": "en"})
    assert [card.header for card in drawn] == [
        "시즌 2 우려 점검 · 지금 우리 학교는",
        "Season 2 Fear Check · All of Us Are Dead",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"status": SeasonUpdate.Status.DRAFT, "published_at": None},
        {"published_at": timezone.now() + timezone.timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_update_card_is_404_but_for_staff(client, fields):
    update = make_update(**fields)
    url = f"/updates/{update.slug}/card.png"
    assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(make_curator())
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_staff_preview_of_a_draft_card_is_never_kept_by_shared_caches(client):
    update = make_update(status=SeasonUpdate.Status.DRAFT, published_at=None)
    client.force_login(make_curator())
    cache_control = client.get(f"/updates/{update.slug}/card.png")["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "public" not in cache_control


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/concerns/no-such-fear/card.png",
        "/updates/no-such-update/card.png",
        "/concerns/%F0%9F%A7%9F/card.png",
        "/updates/..%2F..%2Fetc/card.png",
        "/concerns/" + "a" * 2000 + "/card.png",
        "/concerns/feed/card.png",
    ],
)
def test_unknown_slugs_get_404(client, path):
    assert client.get(path).status_code == 404


# --- fonts and odd titles --------------------------------------------------------------


NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")


@pytest.mark.skipif(not NANUM.exists(), reason="Debian's fonts-nanum is not installed")
def test_hangul_is_drawn_with_the_font_that_has_it(settings):
    settings.SHARE_CARD_FONTS = {
        "regular": ["/usr/share/fonts/truetype/nanum/NanumGothic.ttf"],
        "bold": [str(NANUM)],
    }
    ((font, text),) = cards._runs("효산고", cards._style_fonts("title"))
    assert (Path(font.path), text) == (NANUM, "효산고")


@pytest.mark.skipif(not NANUM.exists(), reason="Debian's fonts-nanum is not installed")
def test_a_glyph_no_font_has_is_left_out():
    runs = cards._runs("좀비 🧟 액션", cards._style_fonts("title"))
    assert "".join(text for _font, text in runs) == "좀비 액션"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "title",
    [
        "새 학교는 효산고의 복사판처럼 느껴질 것이다",
        "🧟" * 40,
        "👩‍👩‍👧 zombies ✓ ☠ 🏫",
        "W" * 120,
        "Zombies " * 15,
        "\u202eReversed\u202c text\twith\ncontrols",
        "مدرسة الزومبي",
        "e\u0301\u0301\u0301" * 30,
    ],
)
def test_odd_titles_draw_a_card(client, title):
    concern = make_concern(title=title[:120])
    response = client.get(f"/concerns/{concern.slug}/card.png")
    assert response.status_code == 200
    assert png_size(response.content) == (1200, 630)
    update = make_update(title=title[:200], summary=title, effects=[(concern, "eases")])
    response = client.get(f"/updates/{update.slug}/card.png")
    assert response.status_code == 200


@pytest.mark.django_db
def test_card_is_drawn_without_any_configured_font(settings, concern):
    settings.SHARE_CARD_FONTS = {"regular": ["/nonexistent/a.ttf"], "bold": ["/nonexistent/b.ttf"]}
    assert png_size(cards.concern_card(tallied(concern), "ko")) == (1200, 630)


def test_missing_font_is_a_warning_in_development(settings):
    settings.SHARE_CARD_FONTS = {"regular": ["/nonexistent/a.ttf"], "bold": []}
    settings.SHARE_CARD_FONTS_REQUIRED = False
    (problem,) = share_card_fonts(None)
    assert isinstance(problem, checks.Warning)
    assert "/nonexistent/a.ttf" in problem.msg


def test_missing_first_font_is_an_error_under_production_settings(settings):
    settings.SHARE_CARD_FONTS = {"regular": ["/nonexistent/a.ttf", "/nonexistent/b.ttf"]}
    settings.SHARE_CARD_FONTS_REQUIRED = True
    first, fallback = share_card_fonts(None)
    assert (first.id, fallback.id) == ("discussions.E001", "discussions.W001")


@pytest.mark.skipif(not NANUM.exists(), reason="Debian's fonts-nanum is not installed")
def test_configured_fonts_are_all_there():
    assert share_card_fonts(None) == []
