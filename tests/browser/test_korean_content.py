"""A Korean browser reads the seeded fears in Korean; a curator writes Korean in the admin."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from discussions.models import Concern
from tests.browser.test_journeys import log_in
from tests.factories import make_curator

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED_IN_KOREAN = ["뻔한 좀비 액션", "식상한 클리셰", "뒷전으로 밀린 생존자들", "속편 징크스"]


@pytest.fixture
def seeded(db):
    call_command("seed", stdout=io.StringIO())


@pytest.mark.usefixtures("seeded")
def test_a_korean_browser_reads_the_seeded_fears_in_korean(open_page):
    page = open_page(language="ko")
    page.goto("/")
    for title in SEEDED_IN_KOREAN:
        expect(page.locator("main")).to_contain_text(title)
    page.locator("main").get_by_role("link", name="속편 징크스").first.click()
    expect(page.locator("h1")).to_contain_text("속편 징크스")
    expect(page.locator("main")).not_to_contain_text("Sequel syndrome")
    assert page.errors == []


@pytest.mark.usefixtures("seeded")
def test_a_curator_writes_korean_in_the_admin(open_page):
    concern = Concern.objects.get(slug="tired-tropes")
    page = open_page()
    log_in(page, make_curator("curator_ko"), path="/admin/login/")
    page.goto(reverse("admin:discussions_concern_change", args=[concern.pk]))
    page.locator("#id_title_ko").fill("지겨운 클리셰")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert page.errors == []
    page.goto(f"{concern.get_absolute_url()}?lang=ko")
    expect(page.locator("h1")).to_contain_text("지겨운 클리셰")
