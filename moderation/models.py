import ipaddress

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import DELETED_ACCOUNT
from discussions.models import Comment, CommentQuerySet, CommentStatus


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    HARASSMENT = "harassment", _("Harassment")
    SPOILER = "spoiler", _("Unmarked spoiler")
    OFF_TOPIC = "off_topic", _("Off-topic")
    OTHER = "other", _("Other")


class Rule(models.TextChoices):
    """The house rules (/rules/): what a moderator names when hiding a comment."""

    RESPECT = "respect", _("Respect other fans")
    HARASSMENT = "harassment", _("No harassment or hate")
    SPOILERS = "spoilers", _("Mark spoilers")
    SPAM = "spam", _("No spam or self-promotion")
    ON_TOPIC = "on_topic", _("Stay on topic")
    PERSONAL_INFO = "personal_info", _("No personal information")
    PIRACY = "piracy", _("No piracy links")
    COPYRIGHT = "copyright", _("Respect copyright")


# What each rule means, as the rules page explains it.
RULE_EXPLANATIONS = {
    Rule.RESPECT: _(
        "Argue with the idea, not the fan. Disagree as hard as you like, "
        "but without insults, name-calling or mockery."
    ),
    Rule.HARASSMENT: _(
        "No threats, no hate for who someone is, no following a fan from thread "
        "to thread. This goes for the cast and crew too."
    ),
    Rule.SPOILERS: _(
        "Anything from a leak, a script or an episode others may not have seen "
        "goes behind the spoiler box. When in doubt, mark it."
    ),
    Rule.SPAM: _(
        "No ads, no link farming, no repeating the same comment, no sending fans "
        "to your own channel or shop."
    ),
    Rule.ON_TOPIC: _(
        "Each thread is about its fear about Season 2. Other talk belongs in "
        "another thread or another site."
    ),
    Rule.PERSONAL_INFO: _(
        "Never post anyone's real name, address, phone number, photos or account "
        "details without their consent, yours included."
    ),
    Rule.PIRACY: _("No links to pirated episodes, leaked files or unofficial streams."),
    Rule.COPYRIGHT: _(
        "Quote the article and other writing briefly and say where it comes from; "
        "do not paste whole pieces."
    ),
}


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


# Changing it (or SECRET_KEY) changes every digest: open reports filed before
# the change no longer group with those filed after it, from the same address.
ADDRESS_DIGEST_SALT = "moderation.Report.address_digest"


def address_digest(address):
    """A keyed digest of a client's address: equal for equal addresses, and not the address.

    Keyed with SECRET_KEY, so nobody who reads the reports (or a leaked copy
    of them) can get the address back by hashing every one there is.
    """
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None and ip.version == 6:
        # One IPv6 subscriber holds a whole /64: any address in it is the same place.
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return salted_hmac(ADDRESS_DIGEST_SALT, address, algorithm="sha256").hexdigest()


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ReportStatus.OPEN)

    def weight(self):
        """How much these reports count towards holding a comment for review.

        One report per fan (a unique constraint), and each counts once, also
        one whose reporter deleted their account since; but reports from
        accounts younger than ESTABLISHED_ACCOUNT_AGE when they reported that
        came from one address (an IPv6 /64) count once together. One address
        can open a few accounts a day (RATE_LIMITS["signup"]), and all it
        opened in the past week are one fan here, so sock puppets must be
        made a week ahead and then weigh no more than fans. A report with no
        address on record (filed by the site itself, or before addresses were
        kept) counts once.
        """
        together = Q(reporter_was_new=True) & ~Q(address_digest="")
        counts = self.aggregate(
            alone=Count("pk", filter=~together),
            addresses=Count("address_digest", filter=together, distinct=True),
        )
        return counts["alone"] + counts["addresses"]


class Report(models.Model):
    """A fan's flag on a comment, waiting for a moderator's decision."""

    Reason = ReportReason
    Status = ReportStatus

    comment = models.ForeignKey(
        "discussions.Comment",
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("comment"),
    )
    # Empty once the reporter deleted their account; the report still counts.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_made",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    # Where the report came from, as address_digest() of the client's
    # address: enough to see that new accounts share one, never the address.
    # Emptied when the report is decided (moderation.decisions._resolve).
    address_digest = models.CharField(
        _("address digest"), max_length=64, blank=True, default="", editable=False
    )
    # Whether the account was younger than ESTABLISHED_ACCOUNT_AGE, judged
    # when the report is filed, so what a report weighs does not change as
    # the reporter's account ages.
    reporter_was_new = models.BooleanField(
        _("reporter's account was under a week old"), default=False, editable=False
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="moderation_report_once_per_fan"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values),
                name="moderation_report_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="moderation_report_status_valid",
            ),
            # A digest is 64 hex digits; an address, at most 45 characters,
            # cannot be stored here by mistake.
            models.CheckConstraint(
                condition=Q(address_digest="") | Q(Exact(Length("address_digest"), 64)),
                name="moderation_report_address_is_a_digest",
            ),
        ]
        indexes = [models.Index(fields=["status", "comment"])]

    def __str__(self):
        return _("%(reason)s report on comment #%(pk)s") % {
            "reason": self.get_reason_display(),
            "pk": self.comment_id,
        }

    @property
    def reporter_name(self):
        """The reporter's username, or "[deleted account]" once they deleted it."""
        return self.reporter.username if self.reporter_id else DELETED_ACCOUNT


class ReportedCommentQuerySet(CommentQuerySet):
    def needing_review(self):
        """Return comments with open reports: held ones first, then the most reported."""
        open_reports = Report.objects.open().filter(comment=OuterRef("pk"))
        return (
            self.filter(Exists(open_reports))
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__status=ReportStatus.OPEN)),
                held_first=Case(When(status=CommentStatus.HELD, then=Value(0)), default=Value(1)),
            )
            .order_by("held_first", "-open_report_count", "-created_at", "-pk")
        )


class ReportedComment(Comment):
    """The moderation queue: comments with open reports, as the admin lists them."""

    objects = ReportedCommentQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("comment needing review")
        verbose_name_plural = _("comments needing review")


class SuspensionQuerySet(models.QuerySet):
    def active(self, now=None):
        """Return suspensions in force now: begun, not over, not lifted."""
        now = now or timezone.now()
        return self.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            starts_at__lte=now,
            lifted_at__isnull=True,
        )


class Suspension(models.Model):
    """A period in which a fan may read but not vote, comment, report or edit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="suspensions",
        verbose_name=_("fan"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Leave empty for a permanent suspension.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("suspended by"),
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="moderation_suspension_ends_after_start",
                violation_error_message=_("A suspension must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["user", "lifted_at", "ends_at"])]

    def __str__(self):
        return _("Suspension of %(user)s") % {"user": self.user}

    @property
    def is_permanent(self):
        return self.ends_at is None

    @property
    def is_active(self):
        now = timezone.now()
        return (
            self.lifted_at is None
            and self.starts_at <= now
            and (self.ends_at is None or self.ends_at > now)
        )


class ModerationEvent(models.Model):
    """One act of moderation, kept for the public log and the staff audit."""

    class Action(models.TextChoices):
        HIDE = "hide", _("hid a comment")
        RESTORE = "restore", _("restored a comment")
        DISMISS = "dismiss", _("dismissed reports on a comment")
        MARK_SPOILER = "mark_spoiler", _("marked a comment as a spoiler")
        AUTO_HIDE = "auto_hide", _("held a comment for review after reports")
        SUSPEND = "suspend", _("suspended a fan")
        LIFT = "lift", _("lifted a suspension")
        SPAM_REMOVAL = "spam_removal", _("removed a fan as a spammer")
        UPHOLD = "uphold", _("kept a comment hidden after the author asked for a review")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
        help_text=_("Empty when the site acted by itself."),
    )
    action = models.CharField(_("action"), max_length=14, choices=Action)
    comment = models.ForeignKey(
        "discussions.Comment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_events",
        verbose_name=_("comment"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_events",
        verbose_name=_("fan concerned"),
    )
    suspension = models.ForeignKey(
        Suspension,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("suspension"),
    )
    count = models.PositiveIntegerField(
        _("how many"),
        null=True,
        blank=True,
        help_text=_("Reports that held a comment, or comments a spam removal hid."),
    )
    # For a hide, the moderator's note, which only staff see (the public log
    # shows the rule instead); for the other acts, the reason the log shows.
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    rule = models.CharField(
        _("rule broken"),
        max_length=20,
        choices=Rule,
        blank=True,
        default="",
        help_text=_("The house rule a hidden comment broke."),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        constraints = [
            models.CheckConstraint(
                condition=Q(rule="") | Q(rule__in=Rule.values),
                name="moderation_event_rule_valid",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def get_absolute_url(self):
        return reverse("moderation:log") + f"#event-{self.pk}"

    def author_notice(self):
        """What the comment's author is told of this decision, on the site."""
        if self.action == self.Action.HIDE:
            return _(
                "Moderators hid your comment: it broke the rule “%(rule)s”. "
                "See why, and ask for a review if you think it is a mistake."
            ) % {"rule": self.get_rule_display()}
        if self.action == self.Action.RESTORE:
            return _("Moderators looked again and put your comment back.")
        if self.action == self.Action.UPHOLD:
            return _("Moderators looked again and kept your comment hidden.")
        return self.get_action_display()

    @property
    def shows_reason(self):
        """Whether the public log may show the reason: a hide's is the staff's note."""
        return bool(self.reason) and self.action not in {self.Action.HIDE, self.Action.UPHOLD}


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    RESTORED = "restored", _("Restored")
    UPHELD = "upheld", _("Kept hidden")


class ReviewRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ReviewStatus.OPEN)


class ReviewRequest(models.Model):
    """A fan asking the moderators to look again at their hidden comment: once per hide."""

    Status = ReviewStatus

    decision = models.OneToOneField(
        ModerationEvent,
        on_delete=models.CASCADE,
        related_name="review_request",
        verbose_name=_("hide it asks about"),
    )
    comment = models.ForeignKey(
        "discussions.Comment",
        on_delete=models.CASCADE,
        related_name="review_requests",
        verbose_name=_("comment"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_requests",
        verbose_name=_("asked by"),
    )
    message = models.CharField(_("why it should come back"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = ReviewRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values),
                name="moderation_reviewrequest_status_valid",
            ),
        ]

    def __str__(self):
        return _("Review request on comment #%(pk)s") % {"pk": self.comment_id}

    def get_absolute_url(self):
        return reverse("moderation:comment-decision", args=[self.comment_id])
