"""The opinion engine's rows: votes, their history, each day's shift, and what news did.

Concerns are discussions' rows, an app above this one (docs/architecture.md):
they are named here by string in foreign keys, never imported, and reached
through those relations.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import DELETED_ACCOUNT, User

from .stats import Tally, difference_interval


class Effect(models.TextChoices):
    """How a piece of Season 2 news bears on a fear, as a curator links it (news.UpdateEffect)."""

    CONFIRMS = "confirms", _("Confirms the fear")
    EASES = "eases", _("Eases the fear")
    UNCLEAR = "unclear", _("Unclear")


class Verdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    OVERBLOWN = "overblown", _("Overblown")


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
        # Comments are discussions' rows, an app above this one: reached through
        # the fan's side of their author field, never by importing the model.
        comments = User._meta.get_field("comments").related_model.objects
        wrote_before = comments.filter(author=OuterRef("user"), created_at__lt=latest_update_at)
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
        "discussions.Concern",
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("concern"),
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
        # The constraints of this app's tables keep the names they were made
        # with in discussions: renaming one means rebuilding it (the whole
        # table, on SQLite), and nothing but these lines names them.
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
        """Whether news with this effect (Effect) points away from this verdict."""
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
    # of the past stays true (opinion.voting.clear_all_votes).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vote_events",
        verbose_name=_("fan"),
    )
    concern = models.ForeignKey(
        "discussions.Concern",
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
    def summed(self, field):
        """The sum of `field` over these rows (0 for none), as a subquery.

        For one figure of a concern's annotation (ConcernQuerySet.with_tallies),
        these rows filtered on the outer concern's pk.
        """
        summed = self.order_by().values("concern").annotate(n=Sum(field)).values("n")
        return Coalesce(Subquery(summed), 0)

    def tally(self):
        """These rows added up as a Tally, in one query: a concern's current votes, all of them."""
        sums = self.aggregate(
            j=Coalesce(Sum("justified_change"), 0), o=Coalesce(Sum("overblown_change"), 0)
        )
        return Tally(sums["j"], sums["o"])

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
        "discussions.Concern",
        on_delete=models.CASCADE,
        related_name="daily_shifts",
        verbose_name=_("concern"),
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


# Opinion is compared over this many days on either side of an update.
IMPACT_WINDOW_DAYS = 14


class Movement(models.TextChoices):
    TOWARDS_JUSTIFIED = "justified", _("Moved towards justified")
    TOWARDS_OVERBLOWN = "overblown", _("Moved towards overblown")
    NO_CLEAR_CHANGE = "none", _("No clear change")
    TOO_FEW = "too_few", _("Too few votes on one side of the update to tell")


class UpdateImpact(models.Model):
    """How opinion on one concern moved around one update, worked out from the vote history.

    Precomputed (opinion.impacts) when the update is published and again
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
