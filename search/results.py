"""The search page: what a visitor asked, the matches of each kind, and one page of them."""

import re
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from discussions.models import Comment, Concern
from news.models import SeasonUpdate

from . import engine
from .engine import MAX_COUNT
from .forms import Kind, Order, SearchForm

RESULTS_PER_PAGE = 20
SNIPPET_LENGTH = 220
# How much text a snippet shows before the first match.
LEAD_IN = 70
INLINE_SPOILER = re.compile(r"\|\|.+?\|\|", re.S)
# Stands for a masked spoiler while the snippet is cut and escaped: a
# private-use character, taken out of the text first, and never part of a word.
MASK = "\ue000"


def mask_spoilers(text):
    """The text with every ||inline spoiler|| replaced by MASK, before any snippet is cut."""
    return INLINE_SPOILER.sub(MASK, text.replace(MASK, ""))


def _pattern(terms):
    """Matches each term, or the start of a longer term's word (so "zombies" marks "zombie")."""
    stems = set(terms)
    stems |= {term[:-2] for term in terms if len(term) >= 5}
    alternatives = "|".join(re.escape(stem) for stem in sorted(stems, key=len, reverse=True))
    # From a word's start only, and lazily: "\w*" tried at every letter of a long
    # word, each time backtracking over the rest, took seconds for one comment.
    return re.compile(rf"(?<!\w)\w*?(?:{alternatives})\w*", re.I) if alternatives else None


def snippet(text, terms, length=SNIPPET_LENGTH):
    """About `length` characters of text around its first match, each match in <mark>.

    Spoilers are masked before the text is cut; every piece of the text is
    escaped, and only the <mark> tags this adds are markup.
    """
    text = " ".join(mask_spoilers(text).split())
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > LEAD_IN:
        start = text.rfind(" ", 0, first.start() - LEAD_IN) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    shown = text[start:end]
    pieces, at = [], 0
    for match in pattern.finditer(shown) if pattern else ():
        pieces.append(escape(shown[at : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        at = match.end()
    pieces.append(escape(shown[at:]))
    html = "".join(pieces).replace(
        MASK, f'<span class="snippet-spoiler">{escape(_("[spoiler]"))}</span>'
    )
    # Everything from the text went through escape() above.
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))


def _in_language(row, field):
    """The field's text in the reader's language, then the other, matching or not."""
    first = get_language() or "en"
    order = [first] + [code for code in ("en", "ko") if code != first]
    return [getattr(row, f"{field}_{code}", "") or "" for code in order]


def _best_text(texts, terms):
    """The first of texts with a match, or the first non-empty one."""
    pattern = _pattern(terms)
    for text in texts:
        if pattern and pattern.search(mask_spoilers(text)):
            return text
    return next((text for text in texts if text), "")


@dataclass
class Result:
    url: str
    title: str
    snippet: str
    when: object
    author: str = ""
    place: str = ""  # the fear a comment was posted on


def comment_documents(user):
    """What a search by this visitor reads of comments (engine.Document).

    Anyone's search reads the text outside spoilers of comments that are not
    spoilers as a whole, so a hit never tells that a spoiler holds a word.
    A fan's own search also reads every word of what they wrote, spoilers
    included: the fan who wrote them still finds them.
    """
    others = engine.Document(("text_outside_spoilers",), Q(is_spoiler=False))
    if not user.is_authenticated:
        return [others]
    return [engine.Document(("body",), Q(author_id=user.pk)), others]


def update_documents():
    """What a search reads of Season 2 updates: an update marked as a spoiler, its title alone.

    Its summary is collapsed everywhere, so a hit by a word in it would tell
    what the spoiler says.
    """
    return [
        engine.Document(("title_en", "title_ko", "summary_en", "summary_ko"), Q(is_spoiler=False)),
        engine.Document(("title_en", "title_ko"), Q(is_spoiler=True)),
    ]


class Hits:
    """One kind of row the search looks in: the rows the visitor may find, by which text, in
    what order."""

    def __init__(self, kind, terms, order, user):
        self.kind, self.terms, self.order, self.user = kind, terms, order, user

    @property
    def rows(self):
        return self.matches[0]

    @property
    def count(self):
        return self.matches[1]

    @cached_property
    def matches(self):
        if self.kind == Kind.COMMENTS:
            searchable, documents, newest = (
                Comment.objects.searchable().select_related("concern", "author"),
                comment_documents(self.user),
                ("-created_at", "-pk"),
            )
        elif self.kind == Kind.FEARS:
            searchable, documents, newest = (
                Concern.objects.all(),
                [engine.Document(("title_en", "title_ko", "description_en", "description_ko"))],
                ("-created_at", "-pk"),
            )
        else:
            searchable, documents, newest = (
                SeasonUpdate.objects.published(),
                update_documents(),
                ("-published_at", "-pk"),
            )
        return engine.matching(
            searchable,
            documents,
            self.terms,
            newest=newest,
            relevance=self.order == Order.RELEVANCE,
        )

    def result(self, row):
        terms = self.terms
        if self.kind == Kind.COMMENTS:
            text = (
                escape(_("Spoiler: open the comment to read it."))
                if row.is_spoiler
                # The text as mail and feeds show it: spoilers masked exactly where
                # the thread hides them, and no Markdown punctuation.
                else snippet(row.plain_text, terms)
            )
            return Result(
                row.get_absolute_url(),
                row.concern.title,
                text,
                row.created_at,
                author=row.author_name,
                place=row.concern.title,
            )
        if self.kind == Kind.FEARS:
            title = _best_text(_in_language(row, "title"), terms)
            text = snippet(_best_text(_in_language(row, "description"), terms), terms)
            return Result(row.get_absolute_url(), title, text, row.created_at)
        title = _best_text(_in_language(row, "title"), terms)
        text = (
            escape(_("Spoiler: open the update to read it."))
            if row.is_spoiler
            else snippet(_best_text(_in_language(row, "summary"), terms), terms)
        )
        return Result(row.get_absolute_url(), title, text, row.published_at)


def _shown_count(count):
    """The count a tab shows: past MAX_COUNT, "1000+" (engine.MAX_COUNT)."""
    return f"{MAX_COUNT}+" if count > MAX_COUNT else str(count)


class CountedPaginator(Paginator):
    """A paginator told the count the page worked out already, so it is not asked again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self):
        return self.known_count


class SearchPage:
    """The search form, the counts of each kind of match, and one page of the chosen kind."""

    def __init__(self, request):
        self.request = request
        self.searched = "q" in request.GET
        self.form = SearchForm(request.GET if self.searched else None)
        valid = self.form.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        self.query = cleaned.get("q", "") if valid else ""
        self.order = cleaned.get("sort") or Order.RELEVANCE
        self.kind = cleaned.get("type") or Kind.COMMENTS
        self.terms = engine.words(self.query)
        self.hits = {kind: Hits(kind, self.terms, self.order, request.user) for kind in Kind}

    @property
    def has_query(self):
        return bool(self.query)

    @cached_property
    def tabs(self):
        """(kind, label, count as shown, is current) for each kind of result."""
        return [
            (kind, kind.label, _shown_count(self.hits[kind].count), kind == self.kind)
            for kind in Kind
        ]

    @cached_property
    def orders(self):
        return [(order, order.label, order == self.order) for order in Order]

    @cached_property
    def total(self):
        return sum(self.hits[kind].count for kind in Kind)

    @cached_property
    def page(self):
        hits = self.hits[self.kind]
        paginator = CountedPaginator(hits.rows, RESULTS_PER_PAGE, min(hits.count, MAX_COUNT))
        return paginator.get_page(self.request.GET.get("page"))

    @cached_property
    def results(self):
        hits = self.hits[self.kind]
        return [hits.result(row) for row in self.page.object_list]
