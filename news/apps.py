from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("Season 2 news")

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the checks, connects the receivers)
