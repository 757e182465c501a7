"""sitemap.xml: the public pages search engines may list, on SITE_URL.

Built on django.contrib.sitemaps. Every address is on SITE_URL, as the
canonical and hreflang links are, whichever of the site's names the crawler
came by; each page's Korean form is `?lang=ko` (aouad.languages), named by
the page's own hreflang links rather than here.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from discussions.models import Article, CommentStatus, Concern
from news.models import SeasonUpdate


class OnSiteUrl(Sitemap):
    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class PageSitemap(OnSiteUrl):
    """The pages with no row of their own."""

    changefreq = "daily"

    def items(self):
        return [
            "discussions:home",
            "news:update-list",
            "moderation:log",
            "privacy:policy",
            "privacy:terms",
            "privacy:takedown",
        ]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(OnSiteUrl):
    changefreq = "weekly"

    def items(self):
        return Article.objects.order_by("pk")


class ConcernSitemap(OnSiteUrl):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        # Last modified: the newest visible comment, a fair sign of new argument.
        visible = Q(comments__status=CommentStatus.VISIBLE)
        return Concern.objects.annotate(
            last_comment=Max("comments__created_at", filter=visible)
        ).order_by("position", "pk")

    def lastmod(self, concern):
        return concern.last_comment


class UpdateSitemap(OnSiteUrl):
    changefreq = "weekly"

    def items(self):
        return SeasonUpdate.objects.published().order_by("-published_at", "-pk")

    def lastmod(self, update):
        return update.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "concerns": ConcernSitemap,
    "updates": UpdateSitemap,
}


@require_safe
def robots_txt(request):
    """What crawlers may read: the public pages, not accounts, the admin or the API."""
    sitemap = settings.SITE_URL + reverse("sitemap")
    return render(request, "robots.txt", {"sitemap": sitemap}, content_type="text/plain")
