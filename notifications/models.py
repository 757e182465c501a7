from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    """A fan following a concern; kept when they stop, so it is not made again.

    `followed_at` is when the current spell of following began: following
    again after stopping moves it, so news from the gap is never delivered.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("fan"),
    )
    concern = models.ForeignKey(
        "discussions.Concern",
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("concern"),
    )
    is_active = models.BooleanField(_("following"), default=True)
    followed_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "concern"], name="notifications_follow_once")
        ]

    def __str__(self):
        return f"{self.user} → {self.concern}"


def season_updates():
    """news's SeasonUpdate rows, reached through a notification's foreign key.

    news sits above this app (it queues the news mail by name), so it is
    never imported here; its QuerySet methods are called all the same.
    """
    return Notification._meta.get_field("update").related_model.objects


def update_effects():
    """news's UpdateEffect rows, reached the same way."""
    return season_updates().model._meta.get_field("effects").related_model.objects


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def unmailed(self):
        """Neither mailed nor withheld from mail: mail about them may still be due."""
        return self.filter(mailed_at__isnull=True, withheld_at__isnull=True)

    def visible_now(self):
        """Those whose subject a page would show the fan now: all that is listed, counted or mailed.

        A reply or mention counts while its comment is visible and its author
        still has an account; news while its update is public (not a draft
        again, nor moved to a later time); a moderator's decision always, as
        it is about the fan's own comment. Asked when the page, the badge or
        the mail is made, never when the notification was, so a comment
        hidden or an update taken back since leaves them all at once.
        """
        return self.filter(self._visible())

    def of_removed_comments(self):
        """Replies and mentions whose comment pages no longer show (see visible_now)."""
        return self.filter(comment__isnull=False).exclude(self._visible())

    def _visible(self):
        # The rules are the owning apps' own querysets: news's published(),
        # and discussions' visible() reached through the foreign key, since
        # notifications may not import discussions (docs/architecture.md).
        comments = self.model._meta.get_field("comment").related_model.objects
        shown_comment = comments.visible().filter(pk=OuterRef("comment_id"), author__isnull=False)
        public_update = season_updates().published().filter(pk=OuterRef("update_id"))
        return Q(kind=NotificationKind.MODERATION) | Exists(shown_comment) | Exists(public_update)

    def for_digest(self, since):
        """Unread, unmailed notifications since `since` whose kind the fan wants in a digest."""
        digest = MailFrequency.DIGEST
        wants = Q()
        for kind, field in MailPreference.FIELD_FOR_KIND.items():
            chosen = Q(**{f"recipient__mail_preference__{field}": digest})
            if MailPreference.DEFAULTS[kind] == digest:
                chosen |= Q(recipient__mail_preference__isnull=True)
            wants |= Q(kind=kind) & chosen
        return self.unread().unmailed().filter(wants, created_at__gte=since)

    def mentions_by(self, author, since):
        """Mentions of fans in `author`'s comments made since then, however the comments are now."""
        return self.filter(
            kind=NotificationKind.MENTION, comment__author=author, created_at__gte=since
        )


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Reply to your comment")
    UPDATE = "update", _("Season 2 news on a fear you follow")
    MENTION = "mention", _("A comment that mentions you")
    MODERATION = "moderation", _("A moderator's decision on your comment")


class Notification(models.Model):
    """Something a fan should know: a reply to them, or news on a fear they follow."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    concern = models.ForeignKey(
        "discussions.Concern",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("concern"),
    )
    comment = models.ForeignKey(
        "discussions.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reply"),
    )
    update = models.ForeignKey(
        "news.SeasonUpdate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("Season 2 update"),
    )
    # Shown on the site only, never mailed: the fan reads why on the comment's
    # decision page, with the form to ask for a review.
    event = models.ForeignKey(
        "moderation.ModerationEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("moderation decision"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    mailed_at = models.DateTimeField(
        _("mailed"),
        null=True,
        blank=True,
        help_text=_("When it was queued for mail, alone or in a digest; never twice."),
    )
    withheld_at = models.DateTimeField(
        _("withheld from mail"),
        null=True,
        blank=True,
        help_text=_(
            "When its mail was due but not sent: the comment it tells of had left the site."
        ),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "update"],
                condition=Q(update__isnull=False),
                name="notifications_update_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=Q(comment__isnull=False),
                name="notifications_reply_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event"],
                condition=Q(event__isnull=False),
                name="notifications_moderation_once",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[NotificationKind.REPLY, NotificationKind.MENTION],
                    comment__isnull=False,
                )
                | Q(kind=NotificationKind.UPDATE, update__isnull=False)
                | Q(kind=NotificationKind.MODERATION, event__isnull=False),
                name="notifications_kind_has_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    def get_absolute_url(self):
        return reverse("notifications:read", args=[self.pk])

    def target_url(self):
        if self.kind in (self.Kind.REPLY, self.Kind.MENTION):
            return self.comment.get_absolute_url()
        if self.kind == self.Kind.MODERATION:
            if self.event.comment_id is None:
                return self.event.get_absolute_url()
            return reverse("moderation:comment-decision", args=[self.event.comment_id])
        return self.update.get_absolute_url()


class MailFrequency(models.TextChoices):
    INSTANT = "instant", _("At once")
    DIGEST = "digest", _("In a daily digest")
    NEVER = "never", _("Never")


class MailPreference(models.Model):
    """How a fan wants to hear of replies and news by mail, and in which language.

    A fan with no row gets the defaults: replies at once, news in a digest.
    """

    # Mentions ride on the replies' choice: both are a fan speaking to you.
    FIELD_FOR_KIND = {
        NotificationKind.REPLY: "replies",
        NotificationKind.MENTION: "replies",
        NotificationKind.UPDATE: "updates",
    }
    DEFAULTS = {
        NotificationKind.REPLY: MailFrequency.INSTANT,
        NotificationKind.MENTION: MailFrequency.INSTANT,
        NotificationKind.UPDATE: MailFrequency.DIGEST,
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mail_preference",
        verbose_name=_("fan"),
    )
    replies = models.CharField(
        _("replies to your comments"),
        max_length=10,
        choices=MailFrequency,
        default=DEFAULTS[NotificationKind.REPLY],
        help_text=_("Also comments that mention you (@your name)."),
    )
    updates = models.CharField(
        _("Season 2 news on fears you follow"),
        max_length=10,
        choices=MailFrequency,
        default=DEFAULTS[NotificationKind.UPDATE],
    )
    language = models.CharField(
        _("language of the mail"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("mail preference")
        verbose_name_plural = _("mail preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(replies__in=MailFrequency.values, updates__in=MailFrequency.values),
                name="notifications_mailpreference_frequency_valid",
            ),
        ]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("notifications:mail-settings")

    @classmethod
    def of(cls, user):
        """The fan's preference, or the defaults (unsaved) when they never chose."""
        try:
            return user.mail_preference
        except cls.DoesNotExist:
            return cls(user=user)

    def frequency(self, kind):
        return getattr(self, self.FIELD_FOR_KIND[kind])

    def stop(self, kinds):
        """Mail of these kinds no more (an unsubscribe link); save."""
        for kind in kinds:
            setattr(self, self.FIELD_FOR_KIND[kind], MailFrequency.NEVER)
        self.save()
