"""sitemap.xml and robots.txt: what search engines are told to read, on the site's own address."""

import pytest
from django.utils import timezone

from news.models import SeasonUpdate
from tests.factories import make_comment, make_concern, make_update


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://fears.example"
    settings.ALLOWED_HOSTS = ["fears.example", "www.fears.example"]


def test_sitemap_lists_every_fear_and_published_update_on_the_site_address(client, db, site):
    concern = make_concern()
    update = make_update()
    draft = make_update(status=SeasonUpdate.Status.DRAFT, published_at=None)
    later = make_update(published_at=timezone.now() + timezone.timedelta(days=1))
    response = client.get("/sitemap.xml", HTTP_HOST="www.fears.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    body = response.text
    assert f"<loc>https://fears.example/concerns/{concern.slug}/</loc>" in body
    assert f"<loc>https://fears.example/updates/{update.slug}/</loc>" in body
    assert "<loc>https://fears.example/</loc>" in body
    assert draft.slug not in body and later.slug not in body
    assert "www.fears.example" not in body


def test_a_fears_last_change_is_its_newest_visible_comment(client, db, site):
    concern = make_concern()
    make_comment(concern, created_at=timezone.now() - timezone.timedelta(days=3))
    make_comment(concern, status="hidden")
    body = client.get("/sitemap.xml", HTTP_HOST="fears.example").text
    newest = (timezone.now() - timezone.timedelta(days=3)).date().isoformat()
    assert f"<lastmod>{newest}" in body


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_accounts(client, db, site):
    response = client.get("/robots.txt", HTTP_HOST="fears.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Sitemap: https://fears.example/sitemap.xml" in lines
    assert {"Disallow: /admin/", "Disallow: /accounts/", "Disallow: /api/"} <= set(lines)
    assert "Disallow: /concerns/" not in lines


def test_robots_txt_answers_only_reads(client, db):
    assert client.post("/robots.txt").status_code == 405
