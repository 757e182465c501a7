from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.fan_data import FanData, Leaving


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Follows and notifications")
    fan_data = [
        FanData("Follow.user", Leaving.DELETED, export="follows"),
        FanData("Notification.recipient", Leaving.DELETED, export="notifications"),
        FanData("MailPreference.user", Leaving.DELETED, export="mail_settings"),
    ]

    def ready(self):
        from . import signals  # noqa: F401
