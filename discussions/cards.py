"""Share cards: what a link to a fear or a Season 2 update shows when it is shared.

Two halves. `Share` is what the page's <head> says of itself in Open Graph
and Twitter card tags; the card is the 1200 by 630 PNG those tags name, drawn
here with Pillow. Social sites and chat apps fetch both without a session, so
they are the same for every visitor: a fear that hides its results until a
fan votes never shows its tally on a card or in its text, whoever asks.

A card's text is worked out first (`concern_text`, `update_text`, each a
`CardText` whose `lines` are every string drawn), then drawn (`draw`), so
what a card says is tested without reading pixels. The PNG is kept in the
cache under its fear's tally (`concern_png`, `update_png`) and the content
version, so a card is drawn again only when what it shows has changed.
"""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageDraw, ImageFont

from caching.store import cached
from news.models import Effect, share_line

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
# Open Graph names a language with its territory.
LOCALES = {"en": "en_US", "ko": "ko_KR"}
# A card stays in the cache this long unless its tally or the content changes first.
CARD_SECONDS = 24 * 3600
# How many fears an update's card lists before "and N more".
UPDATE_ROWS = 3

# The site's colours (static/css/site.css), on its dark background.
PAPER = "#131318"
INK = "#ece7df"
INK_SOFT = "#b9b2a7"
ACCENT = "#e0574e"
JUSTIFIED = "#b3261e"
OVERBLOWN = "#1f5f8b"
EFFECT_COLOURS = {Effect.CONFIRMS: "#e0574e", Effect.EASES: "#3fae73", Effect.UNCLEAR: "#8a8a96"}

# (font, size in pixels) for each kind of line; a title shrinks down to TITLE_MIN.
STYLES = {
    "site": ("bold", 30),
    "title": ("bold", 68),
    "figure": ("bold", 64),
    "detail": ("regular", 32),
    "body": ("regular", 30),
    "row": ("regular", 30),
}
TITLE_MIN = 40
TITLE_LINES = 3


# --- the tags --------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """What a page says of itself to whoever it is shared with (Open Graph, Twitter cards)."""

    title: str
    description: str
    url: str  # absolute: the canonical address of the page
    type: str = "website"
    image: str = ""  # absolute, or "" for a page with no card
    image_alt: str = ""
    image_width: int = WIDTH
    image_height: int = HEIGHT

    @property
    def site_name(self):
        return _("Season 2 Fear Check")

    @property
    def locale(self):
        return LOCALES.get(translation.get_language(), LOCALES[settings.LANGUAGE_CODE])

    @property
    def twitter_card(self):
        return "summary_large_image" if self.image else "summary"


def _canonical(request, path):
    """The absolute address of a page, in the language its URL names, if it names one.

    On SITE_URL, never the request's host: a site answering on several names
    (www and not, an internal one) has one address per page for search
    engines and shared links, and no header a client sends can change it. A
    page asked for with `?lang=ko` is the Korean page, a page of its own to
    search engines (aouad.languages), so it names itself; every other query
    string (a page of comments, a sort) is dropped.
    """
    language = request.GET.get("lang")
    if language in dict(settings.LANGUAGES):
        path = f"{path}?lang={language}"
    return settings.SITE_URL + path


def _card_url(request, name, slug):
    # In the page's language: the card a site fetches says what the page said.
    path = reverse(name, args=[slug])
    return f"{settings.SITE_URL}{path}?lang={translation.get_language()}"


def concern_share(request, concern):
    """The tags of a fear's page; the concern carries its tallies (with_current_tallies)."""
    return Share(
        title=concern.title,
        description=share_line(concern.description),
        url=_canonical(request, concern.get_absolute_url()),
        type="article",
        image=_card_url(request, "discussions:concern-card", concern.slug),
        image_alt=concern_text(concern, translation.get_language()).alt,
    )


def update_share(request, update):
    """The tags of an update's page: its summary, or a neutral line if it spoils."""
    return Share(
        title=update.title,
        description=share_line(update.feed_text()),
        url=_canonical(request, update.get_absolute_url()),
        type="article",
        image=_card_url(request, "discussions:update-card", update.slug),
        image_alt=update_text(update, [], translation.get_language()).alt,
    )


def site_share(request):
    """The tags of the home and article pages: the site itself, with no card."""
    return Share(
        title=f"{_('Season 2 Fear Check')} · {_('All of Us Are Dead')}",
        description=_(
            "Fans weigh the fears about Season 2 of All of Us Are Dead: justified or overblown?"
        ),
        url=_canonical(request, request.path),
    )


# --- what a card says ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One fear an update bears on: its effect, its title, and its tally if it shows one."""

    effect: str
    text: str
    figure: str = ""


@dataclass(frozen=True)
class CardText:
    """Everything a card shows, top to bottom; `lines` is every string drawn."""

    header: str
    title: str
    body: tuple = ()  # (style, text) under the title
    figure: str = ""  # the verdict, large, above the bar
    details: tuple = ()  # smaller lines under the figure
    bar: float | None = None  # the justified share to draw as a bar, if any
    rows: tuple = ()  # Row, for an update's fears
    more: str = ""  # "and 2 more fears"
    alt: str = field(default="", compare=False)

    @property
    def lines(self):
        texts = [self.header, self.title, *(text for _style, text in self.body)]
        texts += [self.figure, *self.details]
        for row in self.rows:
            texts += [row.text, row.figure]
        return [text for text in [*texts, self.more] if text]


def _site_header(*extra):
    return " · ".join([_("Season 2 Fear Check"), *extra])


def _tally_lines(tally):
    """(figure, details, bar) for a tally the card may show."""
    if not tally.total:
        return "", (_("No votes yet. Be the first to weigh in."),), None
    low, high = tally.interval
    figure = _("%(percent)s%% justified") % {"percent": tally.justified_percent}
    votes = ngettext("%(n)s vote", "%(n)s votes", tally.total) % {"n": intcomma(tally.total)}
    # The tally's own words on the page (includes/_tally.html), en dash and all.
    interval = _("95%% range %(low)s–%(high)s%%") % {"low": low, "high": high}  # noqa: RUF001
    details = [f"{interval} · {votes}"]
    if tally.is_tentative:
        details.append(_("Too few votes to call it yet."))
    return figure, tuple(details), tally.justified / tally.total


def concern_text(concern, language):
    """What a fear's card says in this language: its title and verdict, or none if it hides it.

    `concern` carries its tallies (with_current_tallies).
    """
    with translation.override(language):
        header = _site_header(_("All of Us Are Dead"))
        if concern.results_hidden_until_vote:
            figure, details, bar = _("Vote to see the verdict"), (), None
        else:
            figure, details, bar = _tally_lines(concern.tally)
        alt = ". ".join(text for text in [concern.title, figure, *details] if text)
        return CardText(header, concern.title, (), figure, details, bar, alt=alt)


def update_text(update, concerns, language):
    """What an update's card says: title, source and date, summary unless it spoils, its fears.

    `concerns`: the fears it bears on, each with its tallies and its `effect`
    (Concern.objects.affected_by, with_current_tallies). The summary is the
    feeds' text: a neutral line for a spoiler, never the summary.
    """
    with translation.override(language):
        published = update.published_at or update.created_at
        date = formats.date_format(timezone.localtime(published), "DATE_FORMAT")
        # The date first: a long source name is cut, not the date.
        meta = f"{date} · {_('Source:')} {update.source_name}"
        body = (("detail", meta), ("body", update.feed_text()))
        rows = tuple(_update_row(concern) for concern in concerns[:UPDATE_ROWS])
        more = ""
        if len(concerns) > UPDATE_ROWS:
            left = len(concerns) - UPDATE_ROWS
            more = ngettext("and %(n)s more fear", "and %(n)s more fears", left) % {"n": left}
        elif not concerns:
            more = _("Our curators have not linked this update to any fear.")
        header = _site_header(_("Season 2 news"))
        alt = f"{update.title}. {meta}"
        return CardText(header, update.title, body, rows=rows, more=more, alt=alt)


def _update_row(concern):
    figure = ""
    tally = concern.tally
    if not concern.results_hidden_until_vote and tally.total:
        figure = _("%(percent)s%% justified") % {"percent": tally.justified_percent}
    return Row(concern.effect, f"{Effect(concern.effect).label}: {concern.title}", figure)


# --- the fonts -------------------------------------------------------------------------

# Drawn where a glyph is missing from every font: a code point no font maps.
_NOWHERE = "\U0010ffff"


def font_paths(style):
    """The font files configured for "regular" or "bold", first choice first, that exist."""
    return [path for path in settings.SHARE_CARD_FONTS[style] if Path(path).is_file()]


@functools.lru_cache(maxsize=128)
def _font(path, size):
    if path is None:
        # No configured font on this machine (the system check says so): Pillow's own,
        # which has Latin letters only, rather than no card at all.
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=16384)
def _has_glyph(path, char):
    """Whether the font draws this character, rather than its box for a missing glyph."""
    font = _font(path, 24)
    mask, missing = font.getmask(char), font.getmask(_NOWHERE)
    return (mask.size, bytes(mask)) != (missing.size, bytes(missing))


def _fonts(style, size):
    paths = font_paths(style) or [None]
    return [(path, _font(path, size)) for path in paths]


def clean(text):
    """The text on one line, without control or format characters (a bidi mark, say)."""
    one_line = " ".join(str(text).split())
    return "".join(char for char in one_line if not unicodedata.category(char).startswith("C"))


def _font_for(char, fonts):
    """The first of the fonts that draws this character, or None when none does."""
    if char.isspace():
        return fonts[0][1]
    return next((font for path, font in fonts if path is None or _has_glyph(path, char)), None)


def _runs(text, fonts):
    """Split text into (font, text) runs, each character in the first font that has it."""
    runs = []
    for char in text:
        font = _font_for(char, fonts)
        # A character no font has (most emoji) is left out rather than drawn as
        # an empty box, and so is the second of the spaces around it.
        if font is None or (char == " " and runs and runs[-1][1].endswith(" ")):
            continue
        if runs and runs[-1][0] is font:
            runs[-1][1] += char
        else:
            runs.append([font, char])
    return [(font, text) for font, text in runs]


def _width(text, fonts):
    return sum(font.getlength(part) for font, part in _runs(text, fonts))


def _wrap(text, fonts, width, most):
    """Lines of at most `width` pixels, broken between words, or inside a word too long for one.

    It stops one line past `most`: enough to know that the text was cut, and a
    summary of any length costs no more than that.
    """
    lines, line = [], ""
    for word in re.findall(r"\S+\s*", text):
        if len(lines) > most:
            break
        if _width(line + word.rstrip(), fonts) <= width:
            line += word
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        if _width(word.rstrip(), fonts) <= width:
            line = word
            continue
        for char in word:
            if line and _width(line + char, fonts) > width:
                lines.append(line)
                line = ""
            line += char
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _ellipsize(text, fonts, width):
    """The text cut to fit `width` with "…" after it, when it does not fit whole."""
    if _width(text, fonts) <= width:
        return text
    while text and _width(text + "…", fonts) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit(text, fonts, width, max_lines):
    """At most max_lines lines of the text, the last cut with "…" if the text goes on."""
    lines = _wrap(text, fonts, width, max_lines)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = _ellipsize(f"{kept[-1]} {lines[max_lines]}", fonts, width)
    return kept


# --- drawing ---------------------------------------------------------------------------

USABLE = WIDTH - 2 * MARGIN
# The lines a body text may take before it is cut with "…".
BODY_LINES = {"detail": 1, "body": 2}
GAP = 16


def _style_fonts(style, size=None):
    weight, default = STYLES[style]
    return _fonts(weight, size or default)


def _line_height(style, size=None):
    return round((size or STYLES[style][1]) * 1.25)


class _Pen:
    """Draws lines of text down the card, each on its baseline, in mixed fonts."""

    def __init__(self, image):
        self.draw = ImageDraw.Draw(image)

    def line(self, text, style, y, colour, x=MARGIN, size=None):
        """Draw one line with its top at y; return the y below it."""
        fonts = _style_fonts(style, size)
        ascent, _descent = fonts[0][1].getmetrics()
        for font, part in _runs(text, fonts):
            self.draw.text((x, y + ascent), part, font=font, fill=colour, anchor="ls")
            x += font.getlength(part)
        return y + _line_height(style, size)

    def width(self, text, style):
        return _width(text, _style_fonts(style))


def _title_lines(title, room):
    """The title in the largest size from STYLES' down to TITLE_MIN that fits; cut if none does."""
    size = STYLES["title"][1]
    while True:
        fonts = _style_fonts("title", size)
        lines = _wrap(title, fonts, USABLE, TITLE_LINES)
        fits = len(lines) <= TITLE_LINES and len(lines) * _line_height("title", size) <= room
        if fits or size <= TITLE_MIN:
            break
        size -= 4
    room_for = max(1, min(TITLE_LINES, room // _line_height("title", size)))
    return _fit(title, fonts, USABLE, room_for), size


def _footer_height(card):
    height = len(card.details) * _line_height("detail")
    if card.figure:
        height += _line_height("figure")
    if card.bar is not None:
        height += 40
    height += len(card.rows) * (_line_height("row") + 8)
    if card.more:
        height += _line_height("detail")
    return height


def draw(card):
    """The card as PNG bytes: header and title from the top, the verdict at the bottom."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = _Pen(image)
    # A band of the site's red down the left edge: the site's mark, not data.
    pen.draw.rectangle((0, 0, 12, HEIGHT), fill=JUSTIFIED)

    y = pen.line(clean(card.header), "site", MARGIN, ACCENT) + GAP
    body = [
        (style, line)
        for style, text in card.body
        for line in _fit(clean(text), _style_fonts(style), USABLE, BODY_LINES[style])
    ]
    footer_top = HEIGHT - MARGIN - _footer_height(card)
    body_height = sum(_line_height(style) for style, _line in body)
    title, size = _title_lines(clean(card.title), footer_top - y - body_height - 3 * GAP)
    for line in title:
        y = pen.line(line, "title", y, INK, size=size)
    y += GAP
    for style, line in body:
        y = pen.line(line, style, y, INK_SOFT if style == "detail" else INK)

    y = footer_top
    if card.figure:
        y = pen.line(clean(card.figure), "figure", y, ACCENT if card.bar is not None else INK)
    for detail in card.details:
        y = pen.line(clean(detail), "detail", y, INK_SOFT)
    if card.bar is not None:
        y += 12
        pen.draw.rounded_rectangle((MARGIN, y, MARGIN + USABLE, y + 28), 6, fill=OVERBLOWN)
        if card.bar > 0:
            right = MARGIN + max(12, round(USABLE * card.bar))
            pen.draw.rounded_rectangle((MARGIN, y, right, y + 28), 6, fill=JUSTIFIED)
    for row in card.rows:
        y = _draw_row(pen, row, y)
    if card.more:
        pen.line(clean(card.more), "detail", y, INK_SOFT)

    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _draw_row(pen, row, y):
    """One fear of an update: a square in its effect's colour, its text, its tally on the right."""
    pen.draw.rectangle((MARGIN, y + 8, MARGIN + 20, y + 28), fill=EFFECT_COLOURS[row.effect])
    figure = clean(row.figure)
    room = USABLE - 36 - (pen.width(figure, "row") + 24 if figure else 0)
    pen.line(_ellipsize(clean(row.text), _style_fonts("row"), room), "row", y, INK, x=MARGIN + 36)
    if figure:
        pen.line(figure, "row", y, INK_SOFT, x=WIDTH - MARGIN - pen.width(figure, "row"))
    return y + _line_height("row") + 8


# --- kept in the cache -----------------------------------------------------------------


@dataclass(frozen=True)
class Png:
    """A drawn card and its ETag."""

    data: bytes
    etag: str


def _png(data):
    return Png(data, f'"{hashlib.sha256(data).hexdigest()[:32]}"')


def concern_card(concern, language):
    """A fear's card as PNG bytes, in this language."""
    return draw(concern_text(concern, language))


def update_card(update, concerns, language):
    """An update's card as PNG bytes, in this language (concerns as update_text takes them)."""
    return draw(update_text(update, concerns, language))


def concern_png(concern, language):
    """The fear's card, drawn once per tally, language and content version.

    A fear that hides its results draws no tally, so its votes do not name it.
    """
    tally = (
        ()
        if concern.results_hidden_until_vote
        else (concern.justified_count, concern.overblown_count)
    )
    key = ("share-card", "concern", concern.pk, language, *tally)
    return cached(key, lambda: _png(concern_card(concern, language)), CARD_SECONDS)


def update_png(update, concerns, language):
    """The update's card, drawn once per tallies of its fears, language and content version."""
    tallies = ",".join(
        f"{c.pk}={c.justified_count}/{c.overblown_count}"
        for c in concerns
        if not c.results_hidden_until_vote
    )
    key = ("share-card", "update", update.pk, language, tallies)
    return cached(key, lambda: _png(update_card(update, concerns, language)), CARD_SECONDS)
