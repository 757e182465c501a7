from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# Shown in place of the name of a fan who deleted their account, on what of
# theirs the site keeps (comments with replies, reports).
DELETED_ACCOUNT = _("[deleted account]")


class Suspended(PermissionDenied):
    """An act refused because the fan is suspended; nothing was done."""

    def __init__(self, suspension):
        super().__init__(_("Your account is suspended."))
        self.suspension = suspension


class EmailUnconfirmed(PermissionDenied):
    """An act refused until the fan confirms their email address; nothing was done."""

    def __init__(self):
        super().__init__(_("Confirm your email address to vote and comment."))


class UserQuerySet(models.QuerySet):
    def suspendable_by(self, actor):
        """Return the accounts actor may suspend.

        Moderators suspend fans only, never staff (moderators, curators,
        superusers); only a superuser suspends staff, and nobody suspends
        themselves. Whoever lacks the permission to suspend suspends no one.
        """
        if not actor.has_perm("moderation.add_suspension"):
            return self.none()
        if actor.is_superuser:
            return self.exclude(pk=actor.pk)
        return self.filter(is_staff=False, is_superuser=False)

    def named(self, username):
        """The account of this username, whatever its case, as sign-up keeps names unique.

        Both sides are lowered by the database, as the unique constraint
        lowers them, so PostgreSQL reads that constraint's index. What no
        username can be (a URL's NUL byte, which PostgreSQL refuses) finds nobody.
        """
        field = self.model._meta.get_field("username")
        if len(username) > field.max_length or not self.model.username_validator.regex.match(
            username
        ):
            return self.none()
        return self.alias(lower_username=Lower("username")).filter(
            lower_username=Lower(models.Value(username))
        )

    def with_public_profile(self):
        """Accounts whose profile page is shown: an account switched off has none."""
        return self.filter(is_active=True)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    # Migrations keep Django's manager, so they never depend on this module.
    use_in_migrations = False


DISPLAY_NAME_MAX_LENGTH = 50
BIO_MAX_LENGTH = 300


class User(AbstractUser):
    """A fan, curator or moderator of the site."""

    display_name = models.CharField(
        _("display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        # Database defaults, so that machines still running the code from
        # before these columns can sign fans up during a rolling deploy.
        db_default="",
        help_text=_("Shown beside your username on your profile and your comments."),
    )
    bio = models.TextField(
        _("about you"),
        max_length=BIO_MAX_LENGTH,
        blank=True,
        db_default="",
        help_text=_("A line or two for your public profile."),
    )
    votes_public = models.BooleanField(
        _("show my votes on my profile"),
        default=False,
        db_default=False,
        help_text=_("Votes are private unless you choose to show them."),
    )

    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        editable=False,
        help_text=_("Made by the demo command and removed with the rest of the demo data."),
    )

    email_confirmation_required = models.BooleanField(
        _("must confirm an email to take part"),
        default=True,
        help_text=_(
            "Fans vote and comment once they confirm an email address. Accounts made "
            "before sign-up asked for one are exempt; staff may exempt anyone."
        ),
    )

    objects = UserManager()

    # True on the request's user when staff signed in without their second
    # factor (accounts.second_factor); never stored. Such staff are fans for
    # every permission until they enter a code.
    second_factor_pending = False

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # The watch on vote bursts starts from the accounts opened lately
        # (moderation.bursts), not from every vote of the week.
        indexes = [models.Index(fields=["date_joined"], name="accounts_user_joined")]
        constraints = [
            # "Nami" and "nami" must not be two people on a forum.
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=_("A user with that username already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(LessThanOrEqual(Length("bio"), BIO_MAX_LENGTH)),
                name="accounts_user_bio_length",
            ),
        ]

    def __str__(self):
        return self.username

    def get_absolute_url(self):
        # The profile page lists what the fan wrote, so discussions serves it.
        return reverse("discussions:fan-profile", kwargs={"username": self.username})

    def has_perm(self, perm, obj=None):
        # Superusers hold every permission in Django's own check, so the
        # pending second factor is asked before it.
        return not self.second_factor_pending and super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        return not self.second_factor_pending and super().has_module_perms(app_label)

    @property
    def acts_as_staff(self):
        """Whether the admin opens: active staff who used their second factor where it is asked."""
        return self.is_active and self.is_staff and not self.second_factor_pending

    @property
    def public_name(self):
        """The display name a fan chose, or their username."""
        return self.display_name or self.username

    @cached_property
    def muted_ids(self):
        """The ids of the fans this fan has muted, read once per request."""
        if not self.pk:
            return frozenset()
        return frozenset(self.mutes.values_list("muted_id", flat=True))

    def has_muted(self, other):
        return other is not None and other.pk in self.muted_ids

    def can_be_suspended_by(self, actor):
        """Whether actor may suspend this account (the rule is UserQuerySet.suspendable_by)."""
        return type(self).objects.suspendable_by(actor).filter(pk=self.pk).exists()

    def active_suspension(self):
        """Return the suspension in force now, the longest first, or None."""
        return (
            self.suspensions.active().order_by(models.F("ends_at").desc(nulls_first=True)).first()
        )

    def lock(self):
        """Hold this account's row until the transaction ends; one fan's acts then queue up.

        Two tabs voting or posting at once wait for each other instead of racing
        past each other's checks, and a moderator removing the fan as a spammer
        waits for a comment being posted. Other accounts are not held up. The
        lock is FOR NO KEY UPDATE, so rows that merely refer to the account (a
        moderation log entry, a report) can still be written meanwhile: a plain
        FOR UPDATE made a fan replying and a moderator hiding the parent
        deadlock on PostgreSQL.
        """
        type(self).objects.select_for_update(no_key=True).filter(pk=self.pk).exists()

    def lock_to_act(self):
        """Lock the account as lock() does, and refuse a suspended or unconfirmed fan.

        The checks ride on the locking query: one round trip instead of three
        for every vote and comment, which on news day queue behind each other.
        Raises Suspended or EmailUnconfirmed, having changed nothing.
        """
        suspensions = self.suspensions.model.objects.active().filter(user=models.OuterRef("pk"))
        addresses = self.emailaddress_set.model.objects.filter(
            user=models.OuterRef("pk"), verified=True
        )
        suspended, verified = (
            type(self)
            .objects.select_for_update(no_key=True)
            .filter(pk=self.pk)
            .annotate(suspended=models.Exists(suspensions), verified=models.Exists(addresses))
            .values_list("suspended", "verified")
            .get()
        )
        if suspended:
            self.refuse_if_suspended()  # reads the suspension, to say until when
        self.__dict__["has_confirmed_email"] = self._email_rule_met(verified)
        self.refuse_if_unconfirmed()

    @property
    def exempt_from_email_confirmation(self):
        """Whether the fan takes part, and logs in, without a confirmed address.

        Staff (made or promoted by a superuser; createsuperuser confirms no
        address), accounts from before sign-up asked for an email, and anyone
        staff exempted (email_confirmation_required off, as for demo fans).
        """
        return not self.email_confirmation_required or self.is_staff

    def _email_rule_met(self, verified):
        return self.exempt_from_email_confirmation or verified

    @cached_property
    def has_confirmed_email(self):
        """Whether the fan may vote and comment as far as their email is concerned."""
        if self._email_rule_met(verified=False):
            return True
        return self.emailaddress_set.filter(verified=True).exists()

    def refuse_if_unconfirmed(self):
        """Raise EmailUnconfirmed until an address is confirmed (or the rule is waived)."""
        if not self.has_confirmed_email:
            raise EmailUnconfirmed

    def refuse_if_suspended(self):
        """Raise Suspended while a suspension is in force; every act a fan takes asks this."""
        suspension = self.active_suspension()
        if suspension is not None:
            raise Suspended(suspension)

    @property
    def is_new_account(self):
        return timezone.now() - self.date_joined < settings.NEW_ACCOUNT_AGE

    @property
    def is_young_account(self):
        """Younger than ESTABLISHED_ACCOUNT_AGE: too young for its word to weigh on its own."""
        return timezone.now() - self.date_joined < settings.ESTABLISHED_ACCOUNT_AGE


class MuteQuerySet(models.QuerySet):
    def of(self, muted):
        """Mutes of this fan: who would rather not hear from them."""
        return self.filter(muted=muted)

    def by(self, muter):
        """The mutes this fan made, the latest first, with the fans they muted."""
        return self.filter(muter=muter).select_related("muted").order_by("-created_at", "-pk")


class Mute(models.Model):
    """One fan's choice not to hear from another: their comments collapse, no notifications."""

    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mutes",
        verbose_name=_("fan who muted"),
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="muted_by",
        verbose_name=_("muted fan"),
    )
    created_at = models.DateTimeField(_("muted at"), default=timezone.now)

    objects = MuteQuerySet.as_manager()

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="accounts_mute_once"),
            models.CheckConstraint(
                condition=~models.Q(muter=models.F("muted")), name="accounts_mute_not_self"
            ),
        ]

    def __str__(self):
        return _("%(muter)s muted %(muted)s") % {"muter": self.muter, "muted": self.muted}

    def get_absolute_url(self):
        return self.muted.get_absolute_url()
