from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_index(using="default", **kwargs):
    # A migration that rebuilt a table on SQLite took its triggers with it (search.index).
    from django.db import connections

    from . import index

    index.repair(connections[using])


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        # Any sender: Django sends post_migrate only for apps with models, and search
        # has none. Once each app is told, the first repairs and the rest find it whole.
        post_migrate.connect(_ensure_index, dispatch_uid="search.ensure_index")
