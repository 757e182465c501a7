from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from moderation.models import ReportedComment


class RecordAdmin(admin.ModelAdmin):
    """An admin for a record that nobody adds to, edits or removes by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FearCheckAdminSite(admin.AdminSite):
    """The staff site: curation and moderation, with the review queue's size in view."""

    site_header = _("All of Us Are Dead: Season 2 fears — staff")
    site_title = _("Season 2 fears admin")
    index_title = _("Curation and moderation")

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                if model["model"] is ReportedComment:
                    model["name"] = _("%(name)s (%(count)d open)") % {
                        "name": model["name"],
                        "count": ReportedComment.objects.needing_review().count(),
                    }
        return app_list
