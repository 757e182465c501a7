import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import URLValidator
from django.db import DatabaseError, models, transaction
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Length, Power, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import DELETED_ACCOUNT
from news.models import SLUG_HELP, Effect, fill_slug

from .formatting import plain_text, text_outside_spoilers
from .formatting import render as render_comment

COMMENT_MAX_LENGTH = 5000
# The text of a comment erased with its author's account. A comment is never
# empty (a check constraint), so it holds the placeholder pages show for a
# withdrawn comment, in English, as it is stored rather than shown to a reader.
ERASED_BODY = "[deleted]"
# The most of a comment a quoting reply starts with, so the reply has room of its own.
QUOTE_LENGTH = 1500


class Verdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    OVERBLOWN = "overblown", _("Overblown")


class Stance(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    OVERBLOWN = "overblown", _("Overblown")
    UNDECIDED = "undecided", _("Undecided")


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Held for review")
    HIDDEN = "hidden", _("Hidden by moderators")
    DELETED = "deleted", _("Deleted by its author")


class Sort(models.TextChoices):
    """The orders a concern's comments are listed in (the `sort` query parameter)."""

    NEW = "new", _("Newest")
    TOP = "top", _("Top: most helpful, fresh first")


# z for a 95% two-sided interval.
Z_95 = 1.959963984540054


def wilson_interval(successes, total, z=Z_95):
    """Return the Wilson score interval (low, high) for a proportion, or None for n=0."""
    if total == 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def difference_interval(before, after, z=Z_95):
    """Newcombe's 95% interval for after's share minus before's, from their Wilson intervals.

    `before` and `after` are (successes, total) pairs. This is the "hybrid
    score" interval (Newcombe 1998, method 10): it stays inside [-1, 1] and
    behaves at small counts and shares near 0 or 1, where adding the two
    normal approximations does not. None when either side has no votes.
    """
    (x1, n1), (x2, n2) = before, after
    first, second = wilson_interval(x1, n1, z), wilson_interval(x2, n2, z)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = first, second
    difference = p2 - p1
    low = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return low, high


@dataclass(frozen=True)
class Tally:
    """Justified and overblown votes on one concern, with display figures."""

    justified: int
    overblown: int

    @property
    def interval(self):
        """95% Wilson interval for the justified share, as whole percents."""
        bounds = wilson_interval(self.justified, self.total)
        if bounds is None:
            return None
        return round(100 * bounds[0]), round(100 * bounds[1])

    @property
    def is_tentative(self):
        """Whether the interval is too wide to read the percentage as a verdict."""
        interval = self.interval
        return interval is None or interval[1] - interval[0] > 30

    @property
    def lower_bound(self):
        """The pessimistic justified share, for ranking: few votes rank low."""
        bounds = wilson_interval(self.justified, self.total)
        return -1.0 if bounds is None else bounds[0]

    @property
    def closeness_to_even(self):
        return abs(self.justified / self.total - 0.5) if self.total else 1.0

    @property
    def consensus_strength(self):
        """How far the whole interval sits from an even split (negative when it spans it)."""
        bounds = wilson_interval(self.justified, self.total)
        if bounds is None:
            return -1.0
        return max(bounds[0] - 0.5, 0.5 - bounds[1])

    @property
    def total(self):
        return self.justified + self.overblown

    @property
    def justified_percent(self):
        if not self.total:
            return 0
        return round(100 * self.justified / self.total)

    @property
    def overblown_percent(self):
        if not self.total:
            return 0
        return 100 - self.justified_percent

    def differs_from(self, whole):
        """Whether the whole tally's justified share lies outside this tally's 95% interval.

        Asked of a part of the votes (the established fans', VoteQuerySet.established)
        beside the whole: outside it, the whole is unlikely to be what fans like
        these think, and the difference is worth showing. No votes, no verdict.
        """
        bounds = wilson_interval(self.justified, self.total)
        if bounds is None or not whole.total:
            return False
        share = whole.justified / whole.total
        return not bounds[0] <= share <= bounds[1]


class ArticleQuerySet(models.QuerySet):
    def listed(self):
        """The articles as the home page lists them, each with how many fears it names."""
        return self.annotate(concern_count=Count("concerns"))


class Article(models.Model):
    """An opinion piece whose fears the site weighs; we hold only our summary.

    One article at most is featured: the home page opens on it, with its fears,
    and lists the others after it (the ordering puts it first).
    """

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True, help_text=SLUG_HELP)
    author = models.CharField(_("author"), max_length=200, blank=True)
    publication = models.CharField(_("publication"), max_length=200, blank=True)
    url = models.URLField(
        _("link to the original"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    summary = models.TextField(
        _("summary"), help_text=_("Our own words, never the article's text.")
    )
    featured = models.BooleanField(
        _("featured on the home page"),
        default=False,
        help_text=_(
            "The home page opens on this article and its fears. One at most: use the "
            "“Feature on the home page” action to move it."
        ),
    )
    is_demo = models.BooleanField(
        _("demo article"),
        default=False,
        editable=False,
        help_text=_("Made by the demo command and removed with the rest of the demo data."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        # Featured first; with none featured, the newest leads, as before there were several.
        ordering = ["-featured", "-created_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["featured"],
                condition=Q(featured=True),
                name="one_featured_article",
                violation_error_message=_(
                    "Another article is featured already: use the “Feature on the home "
                    "page” action, which moves the feature from it to this one."
                ),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("discussions:article-detail", args=[self.slug])

    def clean(self):
        fill_slug(self, self.title)


class ConcernQuerySet(models.QuerySet):
    def with_tallies(self, since=None):
        """Annotate vote counts, summed from the daily shifts (only from `since` on, if given).

        The shifts grow with days, not with votes (discussions.tallies keeps
        them equal to the vote rows), so this costs the same at a million votes.
        """
        days = {} if since is None else {"day__gte": since}

        def sum_of(field):
            # A subquery per figure: joining shifts and comments in one query
            # would multiply the rows and the sums with them.
            summed = (
                DailyShift.objects.filter(concern=OuterRef("pk"), **days)
                .order_by()
                .values("concern")
                .annotate(n=Sum(field))
                .values("n")
            )
            return Coalesce(Subquery(summed), 0)

        return self.annotate(
            justified_count=sum_of("justified_change"),
            overblown_count=sum_of("overblown_change"),
        )

    def with_comment_counts(self):
        """Annotate the number of visible comments (pages read them cached instead)."""
        counted = (
            Comment.objects.visible()
            .filter(concern=OuterRef("pk"))
            .order_by()
            .values("concern")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(comment_count=Coalesce(Subquery(counted), 0))

    def affected_by(self, update):
        """The fears a Season 2 update bears on, each annotated with its `effect` on them."""
        # The annotation reuses the filter's join: one row, one effect, per fear.
        return self.filter(update_effects__update=update).annotate(
            effect=F("update_effects__effect")
        )


class Concern(models.Model):
    """One fear the article raises about Season 2."""

    article = models.ForeignKey(
        Article,
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("article"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True, help_text=SLUG_HELP)
    description = models.TextField(_("description"))
    results_hidden_until_vote = models.BooleanField(
        _("hide results until the fan has voted"),
        default=False,
        help_text=_("Fans see the tally and chart only after casting their own vote."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("discussions:concern-detail", args=[self.slug])

    def clean(self):
        # From the English title (discussions.translation): one slug for both languages.
        fill_slug(self, self.title_en)

    @property
    def tally(self):
        """Return the vote tally, from annotations when the query made them."""
        if hasattr(self, "justified_count"):
            return Tally(self.justified_count, self.overblown_count)
        sums = self.daily_shifts.aggregate(
            j=Coalesce(Sum("justified_change"), 0), o=Coalesce(Sum("overblown_change"), 0)
        )
        return Tally(sums["j"], sums["o"])


class VoteQuerySet(models.QuerySet):
    def established(self, latest_update_at, now):
        """Return the votes of established fans: a brigade cannot buy their verdict.

        A vote counts as established when its fan's account is older than
        settings.ESTABLISHED_ACCOUNT_AGE at `now`, and the fan had acted on the
        site (any vote history entry or any comment, on any concern) before
        `latest_update_at`, the concern's latest published Season 2 update.
        With no such update (None), age alone decides. Fresh accounts, and old
        ones left dormant until the news woke them, count in the whole tally
        but not here.
        """
        votes = self.filter(user__date_joined__lt=now - settings.ESTABLISHED_ACCOUNT_AGE)
        if latest_update_at is None:
            return votes
        voted_before = VoteEvent.objects.filter(
            user=OuterRef("user"), created_at__lt=latest_update_at
        )
        wrote_before = Comment.objects.filter(
            author=OuterRef("user"), created_at__lt=latest_update_at
        )
        # A vote standing since before the update was cast before it, an act in
        # the history: the cheap test settles most votes without a subquery.
        return votes.filter(
            Q(created_at__lt=latest_update_at) | Exists(voted_before) | Exists(wrote_before)
        )

    def on_profile_of(self, fan):
        """The fan's verdicts, one per fear, in the article's order of the fears."""
        return (
            self.filter(user=fan)
            .select_related("concern")
            .order_by("concern__article", "concern__position", "pk")
        )

    def tally(self):
        """These votes counted as a Tally, in one query."""
        counts = self.aggregate(
            justified=Count("pk", filter=Q(verdict=Verdict.JUSTIFIED)),
            overblown=Count("pk", filter=Q(verdict=Verdict.OVERBLOWN)),
        )
        return Tally(counts["justified"], counts["overblown"])


class Vote(models.Model):
    """A fan's current verdict on one concern."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("fan"),
    )
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="votes", verbose_name=_("concern")
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict)
    # A default rather than auto_now_add, so a replayed history keeps its moments.
    created_at = models.DateTimeField(_("cast"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    confirmed_at = models.DateTimeField(
        _("last cast, changed or kept"),
        default=timezone.now,
        help_text=_("News published after this asks the fan to reconsider."),
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "concern"], name="discussions_vote_one_per_fan"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values),
                name="discussions_vote_verdict_valid",
            ),
        ]
        indexes = [models.Index(fields=["concern", "verdict"])]

    def __str__(self):
        return f"{self.user} → {self.concern}: {self.get_verdict_display()}"

    def get_absolute_url(self):
        return self.concern.get_absolute_url()

    def goes_against(self, effect):
        """Whether news with this effect (news.models.Effect) points away from this verdict."""
        return (self.verdict, effect) in {
            (Verdict.OVERBLOWN, Effect.CONFIRMS),
            (Verdict.JUSTIFIED, Effect.EASES),
        }


class VoteEventQuerySet(models.QuerySet):
    def verdicts_per_day(self, since=None, until=None):
        """(local day, justified, overblown) for each day from `since` up to (not into) `until`.

        A day counts the fans whose cast or change that day said each verdict:
        the votes expressed that day, whoever cast them first. A fan who changed
        their mind twice in a day counts once on each side they took; keeping a
        vote (reconfirm) or clearing it expresses no verdict. Rows of deleted
        accounts have no fan to tell apart, so each counts on its own.
        """
        zone = timezone.get_current_timezone()
        rows = self.filter(action__in=[VoteEvent.Action.CAST, VoteEvent.Action.CHANGE])
        if since is not None:
            rows = rows.filter(created_at__gte=_local_midnight(since, zone))
        if until is not None:
            rows = rows.filter(created_at__lt=_local_midnight(until, zone))
        return (
            rows.annotate(day=TruncDate("created_at", tzinfo=zone))
            .order_by("day")
            .values("day")
            .annotate(
                justified=_fans_saying(Verdict.JUSTIFIED), overblown=_fans_saying(Verdict.OVERBLOWN)
            )
            .values_list("day", "justified", "overblown")
        )


def _local_midnight(day, zone):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def _fans_saying(verdict):
    said = Q(verdict=verdict)
    return Count("user", distinct=True, filter=said) + Count(
        "pk", filter=said & Q(user__isnull=True)
    )


class VoteEvent(models.Model):
    """One cast, change or clear of a vote, kept so opinion can be charted."""

    class Action(models.TextChoices):
        CAST = "cast", _("Cast")
        CHANGE = "change", _("Changed")
        CLEAR = "clear", _("Cleared")
        RECONFIRM = "reconfirm", _("Kept after news")

    # Empty for a fan who deleted their account: the rows stay, so the chart
    # of the past stays true (discussions.voting.clear_all_votes).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vote_events",
        verbose_name=_("fan"),
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.CASCADE,
        related_name="vote_events",
        verbose_name=_("concern"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action)
    verdict = models.CharField(_("new verdict"), max_length=10, choices=Verdict, blank=True)
    previous_verdict = models.CharField(
        _("previous verdict"), max_length=10, choices=Verdict, blank=True
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = VoteEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vote history entry")
        verbose_name_plural = _("vote history")
        indexes = [models.Index(fields=["concern", "created_at"])]
        constraints = [
            # A clear leaves no verdict; a cast or change always has one.
            models.CheckConstraint(
                condition=(Q(action="clear") & Q(verdict=""))
                | (~Q(action="clear") & ~Q(verdict="")),
                name="discussions_voteevent_verdict_matches_action",
            ),
        ]

    def __str__(self):
        fan = self.user if self.user_id else DELETED_ACCOUNT
        return f"{fan} {self.get_action_display()} {self.concern}"


# A day's change is spread over this many rows, each fan always adding to the
# same one, so that fans voting at once on a hot concern do not all queue on
# one row's lock.
SHIFT_SHARDS = 8


class DailyShiftQuerySet(models.QuerySet):
    def sums_by_concern(self):
        """{concern pk: (justified, overblown)} these rows add up to."""
        return {
            concern: (j, o)
            for concern, j, o in self.order_by()
            .values("concern")
            .annotate(j=Sum("justified_change"), o=Sum("overblown_change"))
            .values_list("concern", "j", "o")
        }

    def per_day(self):
        """(concern pk, day, justified change, overblown change), the shards of a day summed."""
        return (
            self.order_by()
            .values("concern", "day")
            .annotate(j=Sum("justified_change"), o=Sum("overblown_change"))
            .order_by("concern", "day")
            .values_list("concern", "day", "j", "o")
        )


class DailyShift(models.Model):
    """How one day's votes moved a concern's tally, kept for the chart and the tally.

    Each vote adds its change to one of today's rows (its fan's shard) in the
    vote's own transaction, so the running sum of rows is each day's closing
    tally and the sum of all rows equals the current votes: the tally is read
    from these rows, whose number grows with days, not with votes.
    """

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="daily_shifts", verbose_name=_("concern")
    )
    day = models.DateField(_("day"))
    shard = models.PositiveSmallIntegerField(_("shard"), default=0)
    justified_change = models.IntegerField(_("change in justified votes"), default=0)
    overblown_change = models.IntegerField(_("change in overblown votes"), default=0)

    objects = DailyShiftQuerySet.as_manager()

    class Meta:
        ordering = ["concern", "day"]
        verbose_name = _("daily shift in opinion")
        verbose_name_plural = _("daily shifts in opinion")
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "day", "shard"], name="discussions_dailyshift_once_per_shard"
            ),
            models.CheckConstraint(
                condition=Q(shard__lt=SHIFT_SHARDS), name="discussions_dailyshift_shard_valid"
            ),
        ]

    def __str__(self):
        return f"{self.concern} {self.day}: {self.justified_change:+d}/{self.overblown_change:+d}"

    @staticmethod
    def shard_of(user_id):
        """The row a fan's votes add to: one fan's changes always meet on one row."""
        return (user_id or 0) % SHIFT_SHARDS


class EpochSeconds(models.Func):
    """Seconds since 1970 for a datetime column, on PostgreSQL and SQLite alike."""

    output_field = models.FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM %(expressions)s)::double precision",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra_context,
        )


# Hacker News ranks by points / (age in hours + 2) ^ 1.8; a comment counts its
# author's own point, so a new comment with no marks still ranks by freshness.
TOP_GRAVITY = 1.8


class CommentQuerySet(models.QuerySet):
    def with_helpful_counts(self):
        marks = (
            HelpfulMark.objects.filter(comment=OuterRef("pk"))
            .order_by()
            .values("comment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(helpful_count=Coalesce(Subquery(marks), 0))

    def ranked(self, sort, now=None):
        """Order by Sort.NEW (newest first) or Sort.TOP (helpful marks, decaying with age)."""
        queryset = self.with_helpful_counts()
        if sort != Sort.TOP:
            return queryset.order_by("-created_at", "-pk")
        now = (now or timezone.now()).timestamp()
        age_hours = (Value(now) - EpochSeconds("created_at")) / Value(3600.0)
        return queryset.annotate(
            score=ExpressionWrapper(
                (F("helpful_count") + Value(1.0))
                / Power(age_hours + Value(2.0), Value(TOP_GRAVITY)),
                output_field=models.FloatField(),
            )
        ).order_by("-score", "-created_at", "-pk")

    def posted_again(self, author, body, since):
        """Return the author's latest saved comment with this very text since then, if any."""
        return (
            self.filter(author=author, body=body, created_at__gte=since)
            .order_by("-created_at")
            .first()
        )

    def visible(self):
        """Return comments that public pages may show."""
        return self.filter(status=Comment.Status.VISIBLE)

    def searchable(self):
        """Return comments search may find: visible ones only, never held, hidden or deleted."""
        return self.visible()

    def top_level(self):
        return self.filter(parent__isnull=True)

    def on_profile_of(self, fan):
        """The fan's visible comments, newest first, with their fears: their profile's list."""
        return (
            self.visible()
            .filter(author=fan)
            .select_related("concern")
            .order_by("-created_at", "-pk")
        )

    def helpful_marks_received(self):
        """How many helpful marks these comments hold, in one query."""
        return HelpfulMark.objects.filter(comment__in=self.order_by().values("pk")).count()

    def counts_by_concern(self):
        """{concern pk: how many of these comments} in one grouped query."""
        return dict(
            self.order_by().values("concern").annotate(n=Count("pk")).values_list("concern", "n")
        )

    def threads_to_show(self):
        """Return top-level comments that are visible or still carry visible replies.

        A removed comment stays in place as a placeholder while replies to it
        are visible, so the conversation under it keeps its context.
        """
        visible_reply = Comment.objects.visible().filter(root=OuterRef("pk"))
        return self.top_level().filter(Q(status=CommentStatus.VISIBLE) | Exists(visible_reply))


class Comment(models.Model):
    """A fan's argument about a concern, or a reply to one."""

    BODY_MAX_LENGTH = COMMENT_MAX_LENGTH

    Status = CommentStatus

    concern = models.ForeignKey(
        Concern,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("concern"),
    )
    # Empty once the author deleted their account (privacy.deletion). PROTECT
    # still refuses any other way of deleting them, which would take the
    # comments and every reply below them along.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    # PROTECT: removing a comment must never take its replies with it.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # The thread's top-level comment, so a page of threads loads in one query.
    root = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread",
        editable=False,
        verbose_name=_("thread"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    # The body rendered (discussions.formatting), kept so pages never parse
    # Markdown again. Filled by the authoring operations on every post and
    # edit, and on first read for a comment that has none: rows from before
    # formatting, and any written behind the operations' backs. Filled lazily
    # rather than by a data migration, because a migration must not import
    # the live renderer, and a copy frozen in it would drift from it; emptying
    # the column is also how a change to the renderer reaches old comments.
    body_html = models.TextField(_("comment as shown"), blank=True, default="", editable=False)
    # The body as plain text with its inline spoilers left out: the words a
    # search by anyone but the author matches (search.engine). Worked out from
    # the body on every save that writes it. NULL, not "", for rows written
    # around save() (bulk writes, rows from before it): none worked out yet,
    # where "" is a comment all spoiler. No other fan's search finds those,
    # and `migrate` fills them (discussions.apps).
    text_outside_spoilers = models.TextField(  # noqa: DJ001 (NULL and "" differ, above)
        _("text outside spoilers"), null=True, blank=True, editable=False
    )
    is_spoiler = models.BooleanField(
        _("contains spoilers"),
        default=False,
        help_text=_("Hide the text until a reader chooses to open it."),
    )
    stance = models.CharField(
        _("your stance"), max_length=10, choices=Stance, default=Stance.UNDECIDED
    )
    status = models.CharField(
        _("moderation status"),
        max_length=10,
        choices=Status,
        default=Status.VISIBLE,
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited by its author"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["concern", "status", "parent", "-created_at"],
                name="discussions_comment_listing",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(~Q(body=""), LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH)),
                name="discussions_comment_body_length",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True)
                | Q(parent__isnull=False, root__isnull=False),
                name="discussions_comment_reply_has_root",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values),
                name="discussions_comment_stance_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values),
                name="discussions_comment_status_valid",
            ),
        ]

    def __str__(self):
        return _("Comment #%(pk)s by %(author)s") % {"pk": self.pk, "author": self.author_name}

    def save(self, *args, **kwargs):
        if self.parent_id and not self.root_id:
            self.root_id = self.parent.root_id or self.parent_id
        fields = kwargs.get("update_fields")
        if not self.body_html and fields is None:
            # A comment made without the authoring operations (the demo, tests)
            # is rendered as it is written, not by the first page that shows it.
            self.body_html = render_comment(self.body).html
        if fields is None or "body" in fields:
            # What others may find it by follows the body, whoever writes it.
            self.text_outside_spoilers = text_outside_spoilers(self.body)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "text_outside_spoilers"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.concern.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_visible(self):
        return self.status == self.Status.VISIBLE

    @property
    def author_name(self):
        """The author's username, or "[deleted account]" once they deleted it."""
        return self.author.username if self.author_id else DELETED_ACCOUNT

    @property
    def html(self):
        """The body as safe HTML, rendered once and kept (see body_html)."""
        if not self.body_html:
            self.body_html = render_comment(self.body).html
            # update(), not save(): no signal and no new updated_at, so a first
            # read never counts as a change; and only while the body is still
            # the one rendered, so an edit meanwhile keeps its own HTML.
            try:
                with transaction.atomic():
                    type(self).objects.filter(pk=self.pk, body=self.body, body_html="").update(
                        body_html=self.body_html
                    )
            except DatabaseError:
                # Pages are built from a replica while the primary is down; the
                # rendering is kept next time instead.
                pass
        return mark_safe(self.body_html)  # sanitized by discussions.formatting

    def as_quote(self):
        """The comment as the Markdown a quoting reply starts with: who wrote it, then "> " lines.

        "@name wrote:" stands outside the quote, so the fan quoted hears of it
        as a mention; names inside the quote tell nobody. A long comment is
        quoted in part, cut at a line's end.
        """
        body = self.body
        if len(body) > QUOTE_LENGTH:
            body = body[:QUOTE_LENGTH].rsplit("\n", 1)[0].rstrip() + " …"
        lines = "\n".join(f"> {line}".rstrip() for line in body.splitlines())
        who = f"@{self.author.username}" if self.author_id else DELETED_ACCOUNT
        return _("%(who)s wrote:") % {"who": who} + f"\n{lines}\n\n"

    @property
    def plain_text(self):
        """The body as plain text, its inline spoilers masked: for mail, feeds and snippets."""
        return plain_text(self.body)

    @property
    def placeholder(self):
        """Return what public pages show in place of a comment that is not visible."""
        return {
            CommentStatus.HELD: _("[held for review by moderators]"),
            CommentStatus.HIDDEN: _("[removed by moderators]"),
            CommentStatus.DELETED: _("[deleted]"),
        }.get(self.status, "")

    def is_by(self, user):
        """Whether user wrote it; nobody did once the author deleted their account."""
        # An anonymous visitor's pk is None too, and must never match an authorless comment.
        return self.author_id is not None and self.author_id == user.pk

    def edit_window_ends(self):
        return self.created_at + settings.COMMENT_EDIT_WINDOW

    def is_editable_by(self, user, now=None):
        """Whether the user may still edit this comment: its visible author, in time."""
        now = now or timezone.now()
        return self.is_by(user) and self.is_visible and now < self.edit_window_ends()

    def is_deletable_by(self, user):
        return self.is_by(user) and self.status in {
            CommentStatus.VISIBLE,
            CommentStatus.HELD,
        }


class HelpfulMark(models.Model):
    """A fan's note that someone else's comment argued well."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="helpful_marks",
        verbose_name=_("fan"),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        related_name="helpful_marks",
        verbose_name=_("comment"),
    )
    created_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("helpful mark")
        verbose_name_plural = _("helpful marks")
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="discussions_helpful_once")
        ]

    def __str__(self):
        return f"{self.user} → #{self.comment_id}"


class CommentRevision(models.Model):
    """An earlier version of a comment, kept when its author edits it."""

    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("comment"),
    )
    body = models.TextField(_("earlier text"))
    is_spoiler = models.BooleanField(_("marked as spoiler"))
    stance = models.CharField(_("stance"), max_length=10, choices=Stance)
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self):
        return _("Version of comment #%(pk)s from %(when)s") % {
            "pk": self.comment_id,
            "when": self.written_at,
        }


# Opinion is compared over this many days on either side of an update.
IMPACT_WINDOW_DAYS = 14


class Movement(models.TextChoices):
    TOWARDS_JUSTIFIED = "justified", _("Moved towards justified")
    TOWARDS_OVERBLOWN = "overblown", _("Moved towards overblown")
    NO_CLEAR_CHANGE = "none", _("No clear change")
    TOO_FEW = "too_few", _("Too few votes on one side of the update to tell")


class UpdateImpact(models.Model):
    """How opinion on one concern moved around one update, worked out from the vote history.

    Precomputed (discussions.impacts) when the update is published and again
    while votes arrive in its window, so pages only read these figures. The
    share is of the fans who voted in each window, each counted once with
    their last verdict there; switchers had a standing vote when the update
    came out and changed it within the window.
    """

    effect = models.OneToOneField(
        "news.UpdateEffect",
        on_delete=models.CASCADE,
        related_name="impact",
        verbose_name=_("effect on a concern"),
    )
    before_justified = models.PositiveIntegerField(_("justified before"), default=0)
    before_overblown = models.PositiveIntegerField(_("overblown before"), default=0)
    after_justified = models.PositiveIntegerField(_("justified after"), default=0)
    after_overblown = models.PositiveIntegerField(_("overblown after"), default=0)
    switched_to_justified = models.PositiveIntegerField(_("switched to justified"), default=0)
    switched_to_overblown = models.PositiveIntegerField(_("switched to overblown"), default=0)
    computed_at = models.DateTimeField(_("worked out"), default=timezone.now)

    Movement = Movement

    class Meta:
        verbose_name = _("opinion around an update")
        verbose_name_plural = _("opinion around updates")

    def __str__(self):
        return _("Opinion around %(effect)s") % {"effect": self.effect}

    def get_absolute_url(self):
        return self.effect.update.get_absolute_url()

    @property
    def before(self):
        return Tally(self.before_justified, self.before_overblown)

    @property
    def after(self):
        return Tally(self.after_justified, self.after_overblown)

    @property
    def interval(self):
        """The change in the justified share, in whole points, with its 95% interval.

        (change, low, high), or None while either window has no votes.
        """
        bounds = difference_interval(
            (self.before_justified, self.before.total), (self.after_justified, self.after.total)
        )
        if bounds is None:
            return None
        change = self.after_justified / self.after.total - self.before_justified / self.before.total
        return tuple(round(100 * figure) for figure in (change, *bounds))

    @property
    def movement(self):
        """Which way opinion moved: only when the whole interval sits on one side of no change.

        Read on the whole points the page prints, so it never says "moved"
        beside an interval that starts at 0.
        """
        interval = self.interval
        if interval is None:
            return Movement.TOO_FEW
        _change, low, high = interval
        if low > 0:
            return Movement.TOWARDS_JUSTIFIED
        if high < 0:
            return Movement.TOWARDS_OVERBLOWN
        return Movement.NO_CLEAR_CHANGE

    @property
    def points(self):
        """(points, low, high) in the direction of the movement, all positive when it is clear."""
        change, low, high = self.interval
        if self.movement == Movement.TOWARDS_OVERBLOWN:
            return -change, -high, -low
        return change, low, high

    @property
    def summary(self):
        """One line saying what the update did to opinion on the concern."""
        movement = self.movement
        if movement in (Movement.TOO_FEW, Movement.NO_CLEAR_CHANGE):
            return movement.label
        change, low, high = self.points
        figures = {"change": change, "low": low, "high": high}
        if movement == Movement.TOWARDS_JUSTIFIED:
            message = ngettext(
                "Moved towards justified by %(change)s point (%(low)s to %(high)s)",
                "Moved towards justified by %(change)s points (%(low)s to %(high)s)",
                change,
            )
        else:
            message = ngettext(
                "Moved towards overblown by %(change)s point (%(low)s to %(high)s)",
                "Moved towards overblown by %(change)s points (%(low)s to %(high)s)",
                change,
            )
        return message % figures

    @property
    def switchers(self):
        return self.switched_to_justified + self.switched_to_overblown

    @property
    def window_closes_at(self):
        return self.effect.update.published_at + datetime.timedelta(days=IMPACT_WINDOW_DAYS)

    @property
    def window_days(self):
        return IMPACT_WINDOW_DAYS

    @property
    def is_final(self):
        """Whether the 14 days after the update had passed when the figures were worked out."""
        return self.computed_at >= self.window_closes_at


class ReconsiderDismissal(models.Model):
    """A fan's "not now" to the banner asking them to reconsider after one update."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reconsider_dismissals",
        verbose_name=_("fan"),
    )
    update = models.ForeignKey(
        "news.SeasonUpdate",
        on_delete=models.CASCADE,
        related_name="reconsider_dismissals",
        verbose_name=_("update"),
    )
    dismissed_at = models.DateTimeField(_("dismissed"), default=timezone.now)

    class Meta:
        verbose_name = _("dismissed reminder to reconsider")
        verbose_name_plural = _("dismissed reminders to reconsider")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "update"], name="discussions_reconsider_dismissed_once"
            )
        ]

    def __str__(self):
        return f"{self.user} ✕ {self.update}"

    def get_absolute_url(self):
        return self.update.get_absolute_url()
