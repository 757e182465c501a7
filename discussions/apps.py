from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from accounts.fan_data import FanData, Leaving
from caching.versions import Content


def _fill_text_outside_spoilers(sender, using="default", apps=None, **kwargs):
    # Only once the migration that adds the column is applied (`apps` is the
    # state `migrate` reached, which may be an earlier one).
    if apps is not None:
        comment = apps.get_model("discussions", "Comment")
        if "text_outside_spoilers" not in {field.name for field in comment._meta.fields}:
            return
    from .authoring import fill_text_outside_spoilers

    fill_text_outside_spoilers(using)


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = _("Discussions")
    # What pages show besides tallies: a write replaces the content version
    # (caching.versions). Proxies count too: moderation saves comments
    # through one.
    content = [
        Content("Article"),
        Content("Concern"),
        Content("Comment"),
        Content("CommentRevision"),
        Content("HelpfulMark"),
    ]
    fan_data = [
        FanData("Comment.author", Leaving.DISOWNED, export="comments"),
        FanData("HelpfulMark.user", Leaving.DELETED, export="helpful_marks"),
    ]

    def ready(self):
        from . import checks  # noqa: F401 (registers the checks)

        post_migrate.connect(
            _fill_text_outside_spoilers, sender=self, dispatch_uid="discussions.fill_search_text"
        )
