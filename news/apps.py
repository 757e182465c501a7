from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from caching.versions import CONTENT, NEWS, Content


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("Season 2 news")
    # Pages show the news, and the effects, windows and digests worked out
    # from it alone are kept under the news version (caching.versions).
    content = [
        Content("SeasonUpdate", versions=(CONTENT, NEWS)),
        Content("UpdateEffect", versions=(CONTENT, NEWS)),
    ]

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
