from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from aouad import views
from aouad.sitemaps import SITEMAPS, robots_txt

urlpatterns = [
    path("", include("aouad.health")),
    path("admin/", admin.site.urls),
    path("", include("privacy.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("", include("moderation.urls")),
    path("", include("notifications.urls")),
    # Without a CSRF token, so that anonymous pages carry none and can be cached
    # whole (aouad.pagecache): a forged post can switch a visitor's language and
    # nothing else, and `next` is still held to this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin).
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"), permanent=True),
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("news.urls")),
    path("", include("search.urls")),
    path("", include("discussions.urls")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
