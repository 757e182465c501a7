"""Presenters: the pages with logic, each built by one object that its template reads.

A view builds the page from the request and what the URL names, then renders
it whole or, for htmx, one part of it. Every part reads the same named
properties, so an inline answer never disagrees with the page; each property
is worked out on first use, so a part costs only the queries it needs.
"""

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from caching.shareable import LANGUAGE, shared_query
from caching.store import CONTENT_SECONDS, cached
from caching.versions import HISTORY
from news.models import Effect, SeasonUpdate, news_status_of
from notifications.models import Follow
from opinion.charts import CHART_DAYS, daily_tallies, opinion_chart, sparkline
from opinion.established import established_tallies, established_tally
from opinion.models import DailyShift, ReconsiderDismissal, Verdict, Vote
from opinion.voting import CLEAR

from .cards import concern_share, site_share
from .forms import FRESH_REPLY, CommentForm
from .models import Article, Comment, Concern, Sort, Stance

COMMENTS_PER_PAGE = 50
LATEST_UPDATES_ON_HOME = 3
BEST_ARGUMENTS_PER_SIDE = 3
# How much of a best argument shows beside it.
EXCERPT_WORDS = 30
# Fewer votes than this and a fear is not called divisive or a consensus.
MIN_VOTES_TO_CALL = 10
# Replies this deep stop indenting, so long exchanges stay readable on a phone.
FLAT_DEPTH = 4
# What the reconsider banner offers instead of the fan's verdict.
SWITCH_LABELS = {
    Verdict.JUSTIFIED: _("Change to “justified”"),
    Verdict.OVERBLOWN: _("Change to “overblown”"),
}
# Rankings that decay with time (the "top" sort, the best arguments) are
# recomputed at least this often (seconds), even when nothing is written.
RANKING_SECONDS = 300
# What a shared fragment renders in place of the visitor's CSRF token; each
# request puts its own in (a cached form must work for whoever it is served to).
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor-8f1d2c"
# Runs of white space that hold a line break, between the templates' tags. A
# comment's own line breaks are <br> by then (linebreaksbr), and a shared page
# of threads holds no filled-in textarea or <pre>.
BLANKS = re.compile(r"[ \t]*\n\s*")


def comment_counts():
    """{concern pk: visible comments}, counted once per content version."""
    return cached(
        ("comment-counts",), lambda: Comment.objects.visible().counts_by_concern(), CONTENT_SECONDS
    )


def with_current_tallies(concerns):
    """Evaluate these concerns with their tallies: recent days summed now, older days kept.

    Votes only ever add to the day they are cast on, so the days before
    yesterday are settled: their sums are kept for the day (or until the
    history is rewritten: caching.versions.HISTORY), and the
    database sums two days' rows, not a year's. Yesterday stays live for
    votes that began before midnight and committed after it.
    """
    live_from = timezone.localdate() - datetime.timedelta(days=1)
    concerns = list(concerns.with_tallies(since=live_from))
    settled = cached(
        ("settled-tallies", live_from),
        lambda: DailyShift.objects.filter(day__lt=live_from).sums_by_concern(),
        CONTENT_SECONDS,
        version=HISTORY,
    )
    for concern in concerns:
        justified, overblown = settled.get(concern.pk, (0, 0))
        concern.justified_count += justified
        concern.overblown_count += overblown
    return concerns


def count_comments(concerns):
    """Give each concern its `comment_count`, as with_comment_counts() would, from the cache."""
    counts = comment_counts()
    for concern in concerns:
        concern.comment_count = counts.get(concern.pk, 0)
    return concerns


def results_visible_to(user, concerns):
    """Return the pks of the concerns whose results this visitor may see.

    A concern may hide its tally until the fan has voted on it, so that the
    verdict is the fan's own: every page and the API ask this.
    """
    hidden = [c.pk for c in concerns if c.results_hidden_until_vote]
    voted = set()
    if hidden and user.is_authenticated:
        voted = set(
            Vote.objects.filter(user=user, concern__in=hidden).values_list("concern", flat=True)
        )
    return {c.pk for c in concerns if not c.results_hidden_until_vote or c.pk in voted}


def _render(request, presenter, part, status, extra):
    template = presenter.template
    if part:
        template = part if "/" in part else f"{template}#{part}"
    return render(request, template, {"page": presenter, **extra}, status=status)


@dataclass
class Thread:
    """A comment as the page shows it, its replies nested below it."""

    comment: Comment
    replies: list = field(default_factory=list)
    depth: int = 0
    # New comments and freshly loaded pages take focus, so keyboard users carry on there.
    takes_focus: bool = False

    @property
    def flattens(self):
        """Whether replies below this comment stop indenting."""
        return self.depth >= FLAT_DEPTH


@dataclass(frozen=True)
class Controls:
    """What the visitor may do with one comment."""

    reply: bool
    edit: bool
    delete: bool
    report: bool
    mark_helpful: bool
    marked_helpful: bool


@dataclass(frozen=True)
class Option:
    """One choice in a form: its value, what it says, and whether it is the current one."""

    value: str
    label: str
    current: bool


class Viewer(StrEnum):
    """Who reads a page of threads, as far as what they may press on it differs."""

    # Not signed in: nothing to press, and no fan's own controls to put in.
    ANONYMOUS = "anonymous"
    # Suspended fans: nothing to press, but their own comments (see own_controls).
    READER = "reader"
    # Signed in, email not confirmed: may report and mark helpful, not reply.
    UNCONFIRMED = "unconfirmed"
    FAN = "fan"


@dataclass(frozen=True)
class SharedThreads:
    """A page of threads rendered for every visitor of one kind, as the cache keeps it."""

    html: str
    # (pk, author pk) of every comment in it, to find the visitor's own.
    comments: tuple
    empty: bool
    has_newer: bool


class _SharedView:
    """What the threads' template reads of the page when it renders them for everyone.

    It offers every comment's controls as they are for a visitor of this kind
    who wrote none of them and marked none as helpful; ConcernPage puts each
    fan's own controls in afterwards.
    """

    def __init__(self, page):
        self.page = page
        self.concern = page.concern
        self.here = page.here
        self.reply_options = page.reply_options
        self.threads = page.threads
        self.older_url = page.older_url

    @property
    def bare(self):
        return self.page.viewer == Viewer.ANONYMOUS

    def controls(self, comment):
        return self.page.controls(comment, shared=True)


@dataclass(frozen=True)
class Argument:
    """One best argument as the page shows it, and as the cache keeps it.

    Ids, a name and text only: a Comment with its author loaded would keep
    the author's whole row (password hash, email address) in the cache.
    """

    pk: int
    author_id: int | None
    author_name: str
    is_spoiler: bool
    # The start of its text, spoilers masked; none for a spoiler.
    excerpt: str

    @classmethod
    def of(cls, comment):
        excerpt = (
            ""
            if comment.is_spoiler
            else Truncator(comment.plain_text).words(EXCERPT_WORDS, truncate=" …")
        )
        # str(): "[deleted account]" is a lazy translation; the key names its language.
        name = str(comment.author_name)
        return cls(comment.pk, comment.author_id, name, comment.is_spoiler, excerpt)


@dataclass(frozen=True)
class Side:
    """The best arguments for one side of a fear (Arguments)."""

    stance: str
    label: str
    comments: list


class ConcernPage:
    """One fear's page for one visitor: tally, news, chart, forms and a page of threads.

    Built from the request (the fan, the query string, whether htmx asks for
    the next page) and the concern, annotated with its tallies.
    """

    template = "discussions/concern_detail.html"
    clear_verdict = CLEAR

    def __init__(self, request, concern, *, comment_form=None, posted=None):
        self.request = request
        self.concern = concern
        self.fan = request.user if request.user.is_authenticated else None
        # A refused comment comes back in its form, with what the fan typed.
        self.comment_form = comment_form or CommentForm(concern=concern)
        self.reply_options = FRESH_REPLY
        self._posted = posted

    def render(self, part="", *, status=200, **extra):
        """Answer with the page, or one part of it for htmx (a partial's name or path)."""
        return _render(self.request, self, part, status, extra)

    @cached_property
    def comment_form_html(self):
        """The comment form's fields: a blank form is the same for everyone, drawn once."""

        def draw():
            return render_to_string("includes/_form_fields.html", {"form": self.comment_form})

        if self.comment_form.is_bound:
            return mark_safe(draw())  # rendered by our template, escaped there
        key = ("comment-form", self.concern.pk, get_language())
        return mark_safe(cached(key, draw, CONTENT_SECONDS))  # as above

    @cached_property
    def share(self):
        """What the page says when it is shared: title, one line, its card (discussions.cards)."""
        return concern_share(self.request, self.concern)

    # The fan

    @cached_property
    def user_vote(self):
        if self.fan is None:
            return None
        return Vote.objects.filter(user=self.fan, concern=self.concern).first()

    @cached_property
    def suspension(self):
        return self.fan.active_suspension() if self.fan else None

    @property
    def may_take_part(self):
        """Whether the visitor may follow, report and mark comments helpful here."""
        return self.fan is not None and self.suspension is None

    @cached_property
    def email_unconfirmed(self):
        """Whether the fan must confirm an email address before voting and commenting."""
        return self.fan is not None and not self.fan.has_confirmed_email

    @property
    def may_post(self):
        """Whether the visitor may vote, comment and reply here."""
        return self.may_take_part and not self.email_unconfirmed

    @cached_property
    def following(self):
        return (
            self.fan is not None
            and Follow.objects.filter(user=self.fan, concern=self.concern, is_active=True).exists()
        )

    @cached_property
    def here(self):
        """The page to come back to after acting on a comment: this fear's page as read now.

        Made of the concern's own URL and the parameters the page reads, as it
        reads them (page_query), never of the request's path and query: a
        preview posts to the comments' URL, a query may carry anything, and
        the page of threads that holds this is shared with other fans.
        """
        query = self.page_query()
        return (
            f"{self.concern.get_absolute_url()}?{query}"
            if query
            else self.concern.get_absolute_url()
        )

    def page_query(self, page=None):
        """The query naming this page of threads (or page `page` of them), in a fixed order.

        Only what the page reads, as it reads it: the sort and stance it
        understood, the language a `?lang=` named, and the page's number.
        """
        query = QueryDict(mutable=True)
        if self.request.GET.get("sort") in Sort.values:
            query["sort"] = self.sort
        if self.stance:
            query["stance"] = self.stance
        if self.request.GET.get("lang") == get_language():
            query["lang"] = get_language()
        # As digits, never int(): a page number thousands of digits long is no error.
        number = (self.request.GET.get("page", "") if page is None else str(page)).lstrip("0")
        if number.isascii() and number.isdigit() and number != "1":
            query["page"] = number
        return query.urlencode()

    # The vote

    @property
    def tally(self):
        return self.concern.tally

    @cached_property
    def results_visible(self):
        return not self.concern.results_hidden_until_vote or self.user_vote is not None

    @cached_property
    def established(self):
        """The tally among established fans beside the whole (opinion.established).

        The same for every visitor; the template shows it only with the
        results, and only when it differs.
        """
        return established_tally(self.concern, self.tally)

    @property
    def verdicts(self):
        """The vote buttons, the fan's current verdict pressed."""
        current = self.user_vote.verdict if self.user_vote else None
        return [Option(value, label, value == current) for value, label in Verdict.choices]

    # The news

    @cached_property
    def news(self):
        """The public effects on this fear, newest update first, read once for the page."""
        return list(self.concern.update_effects.public().select_related("update", "impact"))

    @cached_property
    def news_status(self):
        return news_status_of(effect.effect for effect in self.news)

    @cached_property
    def reconsider(self):
        """The newest update that goes against the fan's vote, if they have not answered it.

        Only news published since the fan last cast, changed or kept their
        vote, and only when it points the other way (it confirms a fear they
        call overblown, or eases one they call justified); each update asks
        once, until the fan keeps, changes or dismisses.
        """
        vote = self.user_vote
        if vote is None:
            return None
        against = [
            effect
            for effect in self.news
            if effect.update.published_at > vote.confirmed_at and vote.goes_against(effect.effect)
        ]
        if not against:
            return None
        dismissed = set(
            ReconsiderDismissal.objects.filter(
                user=self.fan, update__in=[effect.update_id for effect in against]
            ).values_list("update", flat=True)
        )
        return next((effect for effect in against if effect.update_id not in dismissed), None)

    @property
    def reconsider_eases(self):
        return self.reconsider is not None and self.reconsider.effect == Effect.EASES

    @property
    def switch_verdict(self):
        """The verdict the reconsider banner offers instead of the fan's own."""
        mine = self.user_vote.verdict
        return next(value for value in Verdict.values if value != mine)

    @property
    def switch_label(self):
        return SWITCH_LABELS[self.switch_verdict]

    @cached_property
    def chart(self):
        """The chart from each day's verdicts: settled days kept for the day, the last two read.

        Votes are only ever recorded on the day they are cast, so the days
        before yesterday are settled and kept (until the history is
        rewritten, as a repair does: caching.versions.HISTORY);
        yesterday stays live for votes that began before midnight and
        committed after it.
        """
        today = timezone.localdate()
        live_from = today - datetime.timedelta(days=1)
        history = self.concern.vote_events.all()
        settled = cached(
            ("chart-days", self.concern.pk, live_from),
            lambda: list(
                history.verdicts_per_day(
                    since=today - datetime.timedelta(days=CHART_DAYS - 1), until=live_from
                )
            ),
            CONTENT_SECONDS,
            version=HISTORY,
        )
        live = list(history.verdicts_per_day(since=live_from))
        return opinion_chart(settled + live, self.news, today=today)

    @cached_property
    def chart_html(self):
        """The chart drawn once for its tally, day, language and news, then kept.

        Every day before yesterday is settled and each cast or change moves
        the tally, so the tally names the live days' counts without reading
        them (two fans trading sides within the day leave it as it was: the
        chart catches up with the next vote). Repairs that rewrite past days
        change the content version (opinion.tallies).
        """
        tally = self.tally
        key = (
            "chart",
            self.concern.pk,
            get_language(),
            timezone.localdate(),
            tally.justified,
            tally.overblown,
            ",".join(str(effect.pk) for effect in self.news),
        )
        html = cached(
            key,
            # No <pre> or filled-in field there: its blank lines can go.
            lambda: BLANKS.sub(
                "\n", render_to_string("includes/_opinion_chart.html", {"chart": self.chart})
            ),
            CONTENT_SECONDS,
        )
        return mark_safe(html)  # rendered by our template, escaped there

    # The comments

    @cached_property
    def sort(self):
        sort = self.request.GET.get("sort")
        return Sort(sort) if sort in Sort.values else Sort.NEW

    @cached_property
    def stance(self):
        stance = self.request.GET.get("stance", "")
        return Stance(stance) if stance in Stance.values else ""

    @property
    def sorts(self):
        return [Option(value, label, value == self.sort) for value, label in Sort.choices]

    @property
    def stances(self):
        return [Option(value, label, value == self.stance) for value, label in Stance.choices]

    @cached_property
    def comment_count(self):
        return comment_counts().get(self.concern.pk, 0)

    @property
    def loading_more(self):
        """Whether htmx asks for the next page of threads only."""
        return bool(self.request.htmx) and self.request.htmx.target == "load-more"

    @property
    def showing_new(self):
        """Whether htmx asks for the first page of threads again, as the live bar offers."""
        return bool(self.request.htmx) and self.request.htmx.target == "comment-list"

    @property
    def threads_only(self):
        """Whether htmx asks for threads alone; their first then takes focus."""
        return self.loading_more or self.showing_new

    @property
    def requested_part(self):
        """The part of the page htmx asks for, or "" for the whole page."""
        if self.loading_more:
            return "comment-page"
        if self.showing_new:
            return "discussions/concern_swaps.html#new-comments"
        return ""

    # While the page is open it polls for new comments and the tally (discussions.live).

    @property
    def live_seconds(self):
        return settings.LIVE_POLL_SECONDS

    @property
    def new_comments_bar(self):
        """What the bar over the threads says for one new comment and for more.

        static/js/live.js puts the count in place of %(count)s; the site's
        languages have no plural forms but these two.
        """
        return {
            form: ngettext("%(count)s new comment — show", "%(count)s new comments — show", number)
            for form, number in (("one", 1), ("other", 2))
        }

    @cached_property
    def comments(self):
        """The page of top-level comments (a Paginator page); threads holds them nested."""
        listing = self.concern.comments.threads_to_show().select_related("author")
        if self.stance:
            listing = listing.filter(stance=self.stance)
        paginator = Paginator(listing.ranked(self.sort), COMMENTS_PER_PAGE)
        return paginator.get_page(self.request.GET.get("page"))

    @cached_property
    def threads(self):
        """This page's threads, replies nested, in two queries whatever the depth.

        Comments that are no longer visible stay as placeholders only while
        visible replies hang below them.
        """
        roots = list(self.comments.object_list)
        children = {}
        for reply in (
            Comment.objects.filter(root__in=roots)
            .with_helpful_counts()
            .select_related("author")
            .order_by("created_at", "pk")
        ):
            children.setdefault(reply.parent_id, []).append(reply)

        def replies(comment, depth):
            kept = []
            for child in children.get(comment.pk, []):
                below = replies(child, depth + 1)
                if child.is_visible or below:
                    kept.append(Thread(child, below, depth))
            return kept

        return [
            Thread(root, replies(root, 1), 0, takes_focus=self.threads_only and i == 0)
            for i, root in enumerate(roots)
        ]

    @cached_property
    def older_url(self):
        """The next page of threads, or "" on the last page (as `here`, nothing of the request)."""
        if not self.comments.has_next():
            return ""
        query = self.page_query(page=self.comments.next_page_number())
        return f"{self.concern.get_absolute_url()}?{query}"

    # Only pages of threads shared with anonymous readers leave out the empty
    # slots where a reply or a fan's own controls go.
    bare = False

    @cached_property
    def viewer(self):
        if self.fan is None:
            return Viewer.ANONYMOUS
        if not self.may_take_part:
            return Viewer.READER
        return Viewer.FAN if self.may_post else Viewer.UNCONFIRMED

    @cached_property
    def _shared_query(self):
        """The query in a fixed order, or None when the page is this request's alone.

        The parameters a concern page may share are caching.shareable's; any
        other, and its links would carry it.
        """
        query = self.request.GET
        if query.get(LANGUAGE, get_language()) != get_language():
            # A `lang` naming no language of the site, so ignored: this request's alone.
            return None
        return shared_query("discussions:concern-detail", query)

    @cached_property
    def shared_threads(self):
        """This page of threads as every visitor of this kind sees it, from the cache.

        New, edited, deleted and hidden comments change the content version,
        so they show at once; the "top" order is ranked again every
        RANKING_SECONDS, as its scores decay with time.
        """
        if self._shared_query is None:
            return self._render_threads()
        key = (
            "threads",
            self.concern.pk,
            get_language(),
            self.viewer,
            self.threads_only,
            self._shared_query,
        )
        return cached(key, self._render_threads, RANKING_SECONDS)

    def _render_threads(self):
        html = render_to_string(
            "includes/_comment_page.html",
            {"page": _SharedView(self), "csrf_token": CSRF_PLACEHOLDER},
        )
        # The templates' indentation and blank lines are a fifth of a page of
        # threads; one line break keeps the space between inline elements.
        html = BLANKS.sub("\n", html)
        comments = []
        stack = list(self.threads)
        while stack:
            thread = stack.pop()
            comments.append((thread.comment.pk, thread.comment.author_id))
            stack.extend(thread.replies)
        return SharedThreads(
            html, tuple(comments), empty=not self.threads, has_newer=self.comments.has_previous()
        )

    @cached_property
    def comment_page_html(self):
        """The shared page of threads with this visitor's own controls and CSRF token put in,
        and the comments of fans they muted collapsed."""
        html = self.own_controls(self.shared_threads)
        html = self.collapse_muted(self.shared_threads, html)
        if CSRF_PLACEHOLDER in html:
            # Only pages with forms ask for a token: anonymous pages set no cookie.
            html = html.replace(CSRF_PLACEHOLDER, get_token(self.request))
        return mark_safe(html)  # rendered by our templates, escaped there

    def collapse_muted(self, shared, html):
        """Fold the comments of fans this visitor muted into a <details> they may open.

        The shared page holds every comment as written, between markers; only
        the visitor's own copy folds, so the page of threads stays one for all.
        Replies below a folded comment stay open: only the muted fan's words fold.
        """
        if self.fan is None:
            return html
        authors = {author for _pk, author in shared.comments} - {None, self.fan.pk}
        if not authors or not (self.fan.muted_ids & authors):
            return html
        for pk, author in shared.comments:
            if author not in self.fan.muted_ids:
                continue
            before, found, rest = html.partition(f"<!--by {pk}-->")
            if not found:
                continue  # a placeholder: no words to fold
            words, _end, after = rest.partition(f"<!--/by {pk}-->")
            folded = render_to_string(
                "includes/_muted_comment.html",
                {"words": mark_safe(words)},  # from the shared page, escaped when rendered
            )
            html = before + BLANKS.sub("\n", folded) + after
        return html

    def own_controls(self, shared):
        """Put the fan's controls on the comments they wrote or marked helpful."""
        html = shared.html
        if self.fan is None:
            return html
        on_page = {pk for pk, _author in shared.comments}
        own = {pk for pk, author in shared.comments if author == self.fan.pk}
        differs = own | (self.helpful_marked & on_page)
        if not differs:
            return html
        for comment in Comment.objects.with_helpful_counts().filter(pk__in=differs):
            before, found, rest = html.partition(f"<!--actions {comment.pk}-->")
            if not found:
                continue  # a placeholder: nothing to press
            _shared, _end, after = rest.partition(f"<!--/actions {comment.pk}-->")
            actions = render_to_string(
                "includes/_comment_actions.html",
                {
                    "comment": comment,
                    "controls": self.controls(comment),
                    "here": self.here,
                    "csrf_token": CSRF_PLACEHOLDER,
                },
            )
            html = before + BLANKS.sub("\n", actions) + after
        return html

    @cached_property
    def posted(self):
        """The comment just posted, as a thread of its own at its depth in the page."""
        comment = (
            Comment.objects.with_helpful_counts().select_related("author").get(pk=self._posted.pk)
        )
        depth, ancestor = 0, comment
        # Nested as the full page nests it, so deep threads flatten the same way.
        while ancestor.parent_id:
            ancestor, depth = ancestor.parent, depth + 1
        return Thread(comment, [], depth, takes_focus=True)

    @cached_property
    def helpful_marked(self):
        if self.fan is None:
            return set()
        return set(
            self.fan.helpful_marks.filter(comment__concern=self.concern).values_list(
                "comment", flat=True
            )
        )

    def controls(self, comment, *, shared=False):
        """What the visitor may do with this comment.

        `shared`: as for any visitor of the same kind who neither wrote it nor
        marked it helpful, for the page of threads they all share.
        """
        own = not shared and self.fan is not None and comment.author_id == self.fan.pk
        may_act = comment.is_visible and self.may_take_part
        mark = may_act and not own
        return Controls(
            reply=may_act and self.may_post,
            edit=may_act and own and comment.is_editable_by(self.fan),
            delete=own and comment.is_deletable_by(self.fan),
            report=may_act and not own,
            mark_helpful=mark,
            marked_helpful=mark and not shared and comment.pk in self.helpful_marked,
        )

    @cached_property
    def best_arguments(self):
        """The most helpful top-level comments on each side, side by side.

        Ranking every comment is kept for RANKING_SECONDS, or until the
        content changes.
        """

        def rank():
            visible = Comment.objects.filter(concern=self.concern).visible().top_level()
            return [
                (
                    stance.value,
                    list(
                        visible.filter(stance=stance)
                        .ranked(Sort.TOP)
                        .values_list("pk", flat=True)[:BEST_ARGUMENTS_PER_SIDE]
                    ),
                )
                for stance in (Stance.JUSTIFIED, Stance.OVERBLOWN)
            ]

        def sides():
            ranking = rank()
            comments = (
                Comment.objects.select_related("author")
                .only("body", "is_spoiler", "author__username")
                .in_bulk([pk for _stance, pks in ranking for pk in pks])
            )
            return [
                Side(stance, Stance(stance).label, [Argument.of(comments[pk]) for pk in pks])
                for stance, pks in ranking
            ]

        return cached(("best", self.concern.pk, get_language()), sides, RANKING_SECONDS)

    @cached_property
    def muted_best_arguments(self):
        """The best arguments written by fans this visitor muted: no excerpt of those.

        The arguments are the same for everyone and kept; which ones the
        visitor muted is read for them alone.
        """
        if self.fan is None:
            return frozenset()
        authors = {c.author_id for side in self.best_arguments for c in side.comments}
        if not authors - {None, self.fan.pk}:
            return frozenset()
        muted = self.fan.muted_ids
        return frozenset(
            c.pk for side in self.best_arguments for c in side.comments if c.author_id in muted
        )

    @property
    def has_best_arguments(self):
        return any(side.comments for side in self.best_arguments)


@dataclass(frozen=True)
class FearCard:
    """One fear on the article page, as far as this visitor may see it."""

    concern: Concern
    results_visible: bool
    sparkline: str = ""
    # The tally among established fans (opinion.established), with the results.
    established: object = None


class ArticlePage:
    """The article with its fears ranked, the callouts and the latest news, for one visitor.

    A fear that hides its results from this visitor must not give its tally
    away, so it neither moves in the ranking nor is called divisive or a
    consensus: such fears come after the ranked ones, in the article's order.
    """

    template = "discussions/article_detail.html"
    min_votes_to_call = MIN_VOTES_TO_CALL

    def __init__(self, request, article):
        self.request = request
        self.article = article

    def render(self, part="", *, status=200, **extra):
        return _render(self.request, self, part, status, extra)

    @cached_property
    def share(self):
        """What the page says when it is shared: the site itself (discussions.cards)."""
        return site_share(self.request)

    @cached_property
    def _concerns(self):
        if self.article is None:
            return []
        return count_comments(with_current_tallies(self.article.concerns.all()))

    @cached_property
    def _visible(self):
        return results_visible_to(self.request.user, self._concerns)

    @cached_property
    def cards(self):
        """The fears, ranked by the low end of their 95% range, then those hiding results."""
        cards = [
            FearCard(c, True, self._sparklines[c.pk], self._established[c.pk])
            if c.pk in self._visible
            else FearCard(c, False)
            for c in self._concerns
        ]
        ranked = sorted(
            (card for card in cards if card.results_visible),
            key=lambda card: (-card.concern.tally.lower_bound, card.concern.position),
        )
        # Already in the article's order; sorting them by tally would give it away.
        return ranked + [card for card in cards if not card.results_visible]

    @cached_property
    def _established(self):
        return established_tallies([c for c in self._concerns if c.pk in self._visible])

    @cached_property
    def _sparklines(self):
        """{concern pk: its small line}, drawn in one query per day and set of tallies.

        Each line's last point is its fear's tally, so the tallies name them.
        """
        visible = [c for c in self._concerns if c.pk in self._visible]

        def draw():
            shifts = {}
            for concern_id, *row in DailyShift.objects.filter(concern__in=visible).values_list(
                "concern", "day", "justified_change", "overblown_change"
            ):
                shifts.setdefault(concern_id, []).append(tuple(row))
            return {c.pk: sparkline(daily_tallies(shifts.get(c.pk, []))) for c in visible}

        tallies = ",".join(f"{c.pk}={c.tally.justified}/{c.tally.overblown}" for c in visible)
        return cached(("sparklines", timezone.localdate(), tallies), draw, CONTENT_SECONDS)

    @property
    def hides_results(self):
        """Whether some fears keep their results from this visitor (and so rank last)."""
        return len(self._visible) < len(self._concerns)

    @cached_property
    def _callable(self):
        return [
            c
            for c in self._concerns
            if c.pk in self._visible and c.tally.total >= MIN_VOTES_TO_CALL
        ]

    @cached_property
    def most_divisive(self):
        return min(self._callable, key=lambda c: c.tally.closeness_to_even, default=None)

    @cached_property
    def clearest_consensus(self):
        return max(self._callable, key=lambda c: c.tally.consensus_strength, default=None)

    @cached_property
    def latest_updates(self):
        return SeasonUpdate.objects.published().with_effects()[:LATEST_UPDATES_ON_HOME]

    @cached_property
    def other_articles(self):
        """Every other article, featured first, each with its fears: two queries however many."""
        others = Article.objects.listed().prefetch_related("concerns")
        if self.article is not None:
            others = others.exclude(pk=self.article.pk)
        return list(others)
