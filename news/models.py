"""Season 2 news: updates that curators publish, and how each bears on the fears."""

import re

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _

# How news bears on a fear is the opinion engine's word (confirms, eases).
from opinion.models import Effect


class UpdateStatus(models.TextChoices):
    """What a curator sets: a draft, or published (at a time, which may be later)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class UpdateState(models.TextChoices):
    """What the public sees of an update's status and time: scheduled is published, not yet due."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


def fill_slug(instance, source):
    """Give the instance a unique slug made from source when it has none."""
    if instance.slug:
        return
    base = slugify(source)[:100] or instance._meta.model_name
    slug, n = base, 2
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    instance.slug = slug


SLUG_HELP = _("Part of the web address. Leave empty to make one from the title.")

# What a shared link says of its page (og:description): one sentence, about as
# much as link previews show before they cut it themselves.
SHARE_LINE_LENGTH = 160
SENTENCE_END = re.compile(r"(?<=[.!?。])\s")


def share_line(text):
    """The first sentence of text, on one line, cut to SHARE_LINE_LENGTH characters."""
    sentence = SENTENCE_END.split(" ".join(str(text).split()), maxsplit=1)[0]
    return Truncator(sentence).chars(SHARE_LINE_LENGTH)


class SeasonUpdateQuerySet(models.QuerySet):
    def published(self):
        """Return updates the public may see: published, and not set for later."""
        return self.filter(status=UpdateStatus.PUBLISHED, published_at__lte=timezone.now())

    def in_state(self, state):
        """Return the updates in this UpdateState: draft, scheduled (due later) or published."""
        now = timezone.now()
        if state == UpdateState.DRAFT:
            return self.exclude(status=UpdateStatus.PUBLISHED)
        if state == UpdateState.SCHEDULED:
            return self.filter(status=UpdateStatus.PUBLISHED, published_at__gt=now)
        if state == UpdateState.PUBLISHED:
            return self.published()
        return self.none()

    def visible_to(self, user):
        """Return the updates this visitor may open: staff preview drafts and scheduled ones."""
        return self if user.has_perm("news.view_seasonupdate") else self.published()

    def with_effects(self):
        """Fetch each update's effects, and the concerns they bear on, in one more query."""
        return self.prefetch_related(
            models.Prefetch("effects", queryset=UpdateEffect.objects.select_related("concern"))
        )


class SeasonUpdate(models.Model):
    """A piece of Season 2 news, summarised in our words by a curator."""

    Status = UpdateStatus
    State = UpdateState

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True, help_text=SLUG_HELP)
    summary = models.TextField(_("summary"), help_text=_("Our own words about what the news says."))
    source_name = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(
        _("source link"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    is_spoiler = models.BooleanField(
        _("spoiler"),
        default=False,
        help_text=_("Collapse the summary everywhere until a reader opens it."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("Shown to the public from this moment on."),
    )
    is_demo = models.BooleanField(
        _("demo update"),
        default=False,
        editable=False,
        help_text=_("Made by the demo command and removed with the rest of the demo data."),
    )
    concerns = models.ManyToManyField(
        "discussions.Concern",
        through="UpdateEffect",
        related_name="season_updates",
        verbose_name=_("concerns"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SeasonUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("Season 2 update")
        verbose_name_plural = _("Season 2 updates")
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=UpdateStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="discussions_seasonupdate_published_has_date",
                violation_error_message=_("A published update needs a publication time."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:update-detail", args=[self.slug])

    def clean(self):
        # From the English title (news.translation): one slug for both languages.
        fill_slug(self, self.title_en)
        if self.status == UpdateStatus.PUBLISHED and self.published_at is None:
            # Publishing without a time means "now", the way curators expect.
            self.published_at = timezone.now()

    def feed_text(self):
        """What feeds carry: the summary, unless it would spoil."""
        if self.is_spoiler:
            return _("This update contains spoilers. Open it on the site to read the summary.")
        return self.summary

    @property
    def is_public(self):
        return self.state == UpdateState.PUBLISHED

    @property
    def state(self):
        """Return the UpdateState: draft, scheduled (published with a future time) or published."""
        if self.status != UpdateStatus.PUBLISHED or self.published_at is None:
            return UpdateState.DRAFT
        if self.published_at > timezone.now():
            return UpdateState.SCHEDULED
        return UpdateState.PUBLISHED

    def get_state_display(self):
        return self.state.label


class NewsStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    EASED = "eased", _("Eased")
    CONTESTED = "contested", _("Contested")
    OPEN = "open", _("Open")


def news_status_of(effects):
    """Sum effects up: confirmed or eased when the news agrees, contested when it
    pulls both ways, open while nothing decisive has been published.
    """
    effects = set(effects)
    confirms, eases = Effect.CONFIRMS in effects, Effect.EASES in effects
    if confirms and eases:
        return NewsStatus.CONTESTED
    if confirms:
        return NewsStatus.CONFIRMED
    if eases:
        return NewsStatus.EASED
    return NewsStatus.OPEN


class UpdateEffectQuerySet(models.QuerySet):
    def public(self):
        """Return effects of updates the public may see, newest update first."""
        return self.filter(
            update__status=UpdateStatus.PUBLISHED,
            update__published_at__lte=timezone.now(),
        ).order_by("-update__published_at", "-update__pk")

    def news_status(self):
        """Sum these effects up (see news_status_of)."""
        return news_status_of(self.values_list("effect", flat=True))


class UpdateEffect(models.Model):
    """How one Season 2 update bears on one concern."""

    Effect = Effect

    update = models.ForeignKey(
        SeasonUpdate,
        on_delete=models.CASCADE,
        related_name="effects",
        verbose_name=_("update"),
    )
    concern = models.ForeignKey(
        "discussions.Concern",
        on_delete=models.CASCADE,
        related_name="update_effects",
        verbose_name=_("concern"),
    )
    effect = models.CharField(_("effect"), max_length=10, choices=Effect)
    reason = models.CharField(_("why, in one line"), max_length=200)

    objects = UpdateEffectQuerySet.as_manager()

    class Meta:
        ordering = ["concern__position", "pk"]
        verbose_name = _("effect on a concern")
        verbose_name_plural = _("effects on concerns")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "concern"], name="discussions_updateeffect_once"
            ),
            models.CheckConstraint(
                condition=Q(effect__in=Effect.values),
                name="discussions_updateeffect_effect_valid",
            ),
        ]

    def __str__(self):
        return f"{self.update} → {self.concern}: {self.get_effect_display()}"
