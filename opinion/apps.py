from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionConfig(AppConfig):
    name = "opinion"
    verbose_name = _("Opinion over time")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
