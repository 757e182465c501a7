from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


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

    def ready(self):
        from . import checks, signals  # noqa: F401 (registers the checks, connects the receivers)

        signals.connect_content_receivers()
        post_migrate.connect(
            _fill_text_outside_spoilers, sender=self, dispatch_uid="discussions.fill_search_text"
        )
