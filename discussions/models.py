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
    Value,
)
from django.db.models.functions import Coalesce, Length, Power
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import DELETED_ACCOUNT
from news.models import SLUG_HELP, fill_slug
from opinion.models import DailyShift
from opinion.stats import Tally

from .formatting import plain_text, text_outside_spoilers
from .formatting import render as render_comment

COMMENT_MAX_LENGTH = 5000
# The text of a comment erased with its author's account. A comment is never
# empty (a check constraint), so it holds the placeholder pages show for a
# withdrawn comment, in English, as it is stored rather than shown to a reader.
ERASED_BODY = "[deleted]"
# The most of a comment a quoting reply starts with, so the reply has room of its own.
QUOTE_LENGTH = 1500


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

        The shifts grow with days, not with votes (opinion.tallies keeps
        them equal to the vote rows), so this costs the same at a million votes.
        """
        days = {} if since is None else {"day__gte": since}
        shifts = DailyShift.objects.filter(concern=OuterRef("pk"), **days)
        # A subquery per figure: joining shifts and comments in one query
        # would multiply the rows and the sums with them.
        return self.annotate(
            justified_count=shifts.summed("justified_change"),
            overblown_count=shifts.summed("overblown_change"),
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
        return self.daily_shifts.tally()


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
