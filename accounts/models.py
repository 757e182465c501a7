from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A fan, curator or moderator of the site."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # "Nami" and "nami" must not be two people on a forum.
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=_("A user with that username already exists."),
            ),
        ]

    def __str__(self):
        return self.username

    def active_suspension(self):
        """Return the suspension in force now, the longest first, or None."""
        return (
            self.suspensions.active().order_by(models.F("ends_at").desc(nulls_first=True)).first()
        )

    @property
    def is_new_account(self):
        return timezone.now() - self.date_joined < settings.NEW_ACCOUNT_AGE
