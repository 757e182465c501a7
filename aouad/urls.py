from allauth.account import views as allauth_views
from allauth.mfa.recovery_codes import views as recovery_codes_views
from allauth.mfa.totp import views as totp_views
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from accounts.decorators import (
    code_reauthentication_required,
    first_enrolment_by_mailed_code,
    staff_keep_their_address,
    tell_owner_when_codes_shown,
)
from aouad import views
from aouad.sitemaps import SITEMAPS, robots_txt

urlpatterns = [
    path("", include("aouad.health")),
    path("admin/", admin.site.urls),
    path("", include("privacy.urls")),
    # Before allauth's own, which this wraps.
    path("accounts/email/", staff_keep_their_address(allauth_views.email), name="account_email"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.account.urls")),
    # allauth's second-factor pages behind the site's rules, under allauth's
    # names (its templates reverse them); the rest of allauth.mfa follows.
    path(
        "accounts/2fa/totp/activate/",
        first_enrolment_by_mailed_code(totp_views.activate_totp),
        name="mfa_activate_totp",
    ),
    path(
        "accounts/2fa/totp/deactivate/",
        code_reauthentication_required(totp_views.deactivate_totp),
        name="mfa_deactivate_totp",
    ),
    path(
        "accounts/2fa/recovery-codes/",
        code_reauthentication_required(
            tell_owner_when_codes_shown(recovery_codes_views.view_recovery_codes)
        ),
        name="mfa_view_recovery_codes",
    ),
    path(
        "accounts/2fa/recovery-codes/generate/",
        code_reauthentication_required(recovery_codes_views.generate_recovery_codes),
        name="mfa_generate_recovery_codes",
    ),
    path(
        "accounts/2fa/recovery-codes/download/",
        code_reauthentication_required(
            tell_owner_when_codes_shown(recovery_codes_views.download_recovery_codes)
        ),
        name="mfa_download_recovery_codes",
    ),
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
