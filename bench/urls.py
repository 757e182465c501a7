"""The site's URLs plus /bench/reference/, the page every figure is divided by.

Only the benchmark's settings (bench.settings) route here, so the reference
page never exists in production.
"""

from django.urls import include, path

from aouad import urls as site_urls
from bench import views

urlpatterns = [
    path("bench/reference/", views.reference, name="bench-reference"),
    path("", include("aouad.urls")),
]

# Error pages are taken from the root URLconf, so they must be named here too.
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
