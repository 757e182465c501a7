from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from caching.versions import Content

from .fan_data import STAFF_ACT, FanData, Leaving

# What pages show of a fan: their name on every comment, whether they are
# still here, and their profile page (kept whole for anonymous visitors).
PUBLIC_FIELDS = frozenset({"username", "display_name", "is_active", "bio", "votes_public"})


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    # A save naming other fields (a log-in's last_login) and a new account,
    # which wrote nothing yet, leave cached pages alone; a fan deleted leaves
    # every comment they wrote. A whole save (the admin's) may rename them.
    content = [Content("User", fields=PUBLIC_FIELDS, new_rows=False)]
    # A fan's own rows (accounts.fan_data), with those of the libraries that
    # keep them for accounts.
    fan_data = [
        FanData("Mute.muter", Leaving.DELETED, export="mutes"),
        FanData(
            "Mute.muted",
            Leaving.DELETED,
            why="Who muted the fan is those fans' own business; gone, it would name nobody.",
        ),
        FanData("account.EmailAddress.user", Leaving.DELETED, export="profile.email_addresses"),
        FanData(
            "mfa.Authenticator.user",
            Leaving.DELETED,
            why="The second factor's secrets: a download would hand them to whoever holds it.",
        ),
        FanData("admin.LogEntry.user", Leaving.DELETED, why=STAFF_ACT),
    ]

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
