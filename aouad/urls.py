from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("All of Us Are Dead: Season 2 fears — staff")
admin.site.site_title = _("Season 2 fears admin")
admin.site.index_title = _("Curation and moderation")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("discussions.urls")),
]
