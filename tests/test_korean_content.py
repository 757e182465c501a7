"""Curators' text in Korean, English where it has none, and both languages indexable."""

import io
import re
from html import unescape
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from aouad import pagecache
from caching import fresh
from demo.content import KOREAN_REASONS, KOREAN_UPDATES, UPDATES
from discussions.models import Article, Concern
from news.models import SeasonUpdate, UpdateEffect
from news.publishing import publish_update
from notifications.delivery import follow_concern
from notifications.models import MailFrequency, MailPreference
from tests.factories import (
    make_concern,
    make_curator,
    make_moderator,
    make_update,
    make_user,
)
from tests.mailbox import outbox

SITE_URL = django_settings.SITE_URL

KOREAN_TITLE = "뻔한 좀비 액션"
KOREAN_DESCRIPTION = "시즌 2가 흔한 좀비 액션물이 될까 봐 걱정된다."
KOREAN_SUMMARY = "한 팬이 시즌 2 소식을 살펴보며 걱정한다."
LINK = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


@pytest.fixture
def korean_concern(db):
    concern = make_concern(title="Conventional zombie action", description="Set pieces come first.")
    concern.title_ko, concern.description_ko = KOREAN_TITLE, KOREAN_DESCRIPTION
    concern.save()
    article = concern.article
    article.summary_ko = KOREAN_SUMMARY
    article.save()
    return concern


@pytest.fixture
def korean_update(korean_concern):
    update = make_update(
        effects=[(korean_concern, "confirms")], title="Filming wraps", summary="It is done."
    )
    update.title_ko, update.summary_ko = "촬영 종료", "촬영이 끝났다."
    update.save()
    UpdateEffect.objects.filter(update=update).update(reason_ko="규모가 커졌다.")
    return update


def korean(url, **headers):
    return Client().get(url, HTTP_ACCEPT_LANGUAGE="ko", **headers)


def english(url, **headers):
    return Client().get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)


# --- Korean readers read Korean ---------------------------------------------------------


def test_a_korean_browser_reads_the_concern_page_in_korean(korean_concern):
    html = korean(korean_concern.get_absolute_url()).text
    assert KOREAN_TITLE in html
    assert KOREAN_DESCRIPTION in html
    assert "Conventional zombie action" not in html


def test_an_english_browser_reads_the_concern_page_in_english(korean_concern):
    html = english(korean_concern.get_absolute_url()).text
    assert "Conventional zombie action" in html
    assert KOREAN_TITLE not in html


def test_a_korean_browser_reads_the_home_page_in_korean(korean_concern):
    html = korean("/").text
    assert KOREAN_TITLE in html
    assert KOREAN_SUMMARY in html


def test_a_korean_browser_reads_the_api_in_korean(korean_concern):
    listed = korean(reverse("discussions:api-concern-list")).json()
    one = korean(reverse("discussions:api-concern-detail", args=[korean_concern.slug])).json()
    assert [concern["title"] for concern in listed] == [KOREAN_TITLE]
    assert one["title"] == KOREAN_TITLE


def test_a_korean_browser_reads_the_concern_feed_in_korean(korean_update, korean_concern):
    response = korean(reverse("discussions:concern-feed", args=[korean_concern.slug]))
    assert KOREAN_TITLE in response.text
    assert "촬영 종료" in response.text
    assert 'xml:lang="ko"' in response.text


def test_a_korean_browser_reads_the_news_feed_in_korean(korean_update):
    text = korean(reverse("news:update-feed")).text
    assert "촬영 종료" in text
    assert "촬영이 끝났다." in text
    assert KOREAN_TITLE in text


def test_a_korean_browser_reads_an_update_and_its_reasons_in_korean(korean_update):
    html = korean(korean_update.get_absolute_url()).text
    assert "촬영 종료" in html
    assert "촬영이 끝났다." in html
    assert "규모가 커졌다." in html


def test_english_shows_where_the_korean_is_empty(db):
    concern = make_concern(title="Tired tropes", description="Formulas.", title_ko="")
    html = korean(concern.get_absolute_url()).text
    assert "Tired tropes" in html
    assert "Formulas." in html


def test_english_shows_where_no_korean_was_ever_written(db):
    concern = make_concern(title="Tired tropes")
    assert concern.title_ko is None
    assert korean(reverse("discussions:api-concern-list")).json()[0]["title"] == "Tired tropes"


@pytest.mark.django_db
def test_a_korean_fan_gets_news_mail_in_korean(korean_concern):
    fan = make_user("cheongsan", email="cheongsan@example.com")
    EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=True)
    MailPreference.objects.create(user=fan, language="ko", updates=MailFrequency.INSTANT)
    follow_concern(fan, korean_concern)
    update = make_update(
        effects=[(korean_concern, "confirms")],
        status="draft",
        published_at=None,
        title_ko="촬영 종료",
    )
    publish_update(update)
    (message,) = outbox()
    assert "촬영 종료" in message.subject
    assert KOREAN_TITLE in message.body


# --- ?lang= ---------------------------------------------------------------------------


def test_lang_ko_beats_an_english_browser(korean_concern):
    response = english(f"{korean_concern.get_absolute_url()}?lang=ko")
    assert KOREAN_TITLE in response.text
    assert '<html lang="ko">' in response.text
    assert response["Content-Language"] == "ko"


def test_lang_en_beats_a_korean_browser(korean_concern):
    response = korean(f"{korean_concern.get_absolute_url()}?lang=en")
    assert "Conventional zombie action" in response.text
    assert '<html lang="en">' in response.text


def test_lang_beats_the_language_cookie(korean_concern, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(f"{korean_concern.get_absolute_url()}?lang=en").text
    assert "Conventional zombie action" in html


def test_lang_sets_no_cookie(korean_concern, settings):
    response = english(f"{korean_concern.get_absolute_url()}?lang=ko")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_lang_applies_to_the_api(korean_concern):
    listed = english(f"{reverse('discussions:api-concern-list')}?lang=ko").json()
    assert listed[0]["title"] == KOREAN_TITLE


@pytest.mark.parametrize("value", ["fr", "", "KO", "ko-kr" * 40, "<script>"])
def test_an_unknown_lang_is_ignored(korean_concern, value):
    response = korean(korean_concern.get_absolute_url(), data={"lang": value})
    assert response.status_code == 200
    assert KOREAN_TITLE in response.text


def test_the_language_form_returns_to_the_page_without_lang(korean_concern):
    html = english(f"{korean_concern.get_absolute_url()}?lang=ko&sort=new").text
    assert f'name="next" type="hidden" value="{korean_concern.get_absolute_url()}?sort=new"' in (
        html
    )


# --- hreflang alternates ------------------------------------------------------------------


def alternates(page):
    return {hreflang: unescape(href) for hreflang, href in LINK.findall(page)}


@pytest.mark.parametrize(
    "url",
    ["/", "concern", "update", "/updates/", "/privacy/", "/accounts/login/"],
)
def test_every_page_links_its_absolute_alternates(korean_update, korean_concern, url):
    url = {
        "concern": korean_concern.get_absolute_url(),
        "update": korean_update.get_absolute_url(),
    }.get(url, url)
    response = english(url)
    assert response.status_code == 200
    assert alternates(response.text) == {
        "en": f"{SITE_URL}{url}?lang=en",
        "ko": f"{SITE_URL}{url}?lang=ko",
        "x-default": f"{SITE_URL}{url}",
    }


def test_alternates_keep_the_other_query_parameters(korean_concern):
    url = korean_concern.get_absolute_url()
    links = alternates(korean(f"{url}?sort=new&lang=ko").text)
    assert links == {
        "en": f"{SITE_URL}{url}?sort=new&lang=en",
        "ko": f"{SITE_URL}{url}?sort=new&lang=ko",
        "x-default": f"{SITE_URL}{url}?sort=new",
    }


def test_alternates_name_the_site_address_whichever_host_was_asked(korean_concern, settings):
    settings.ALLOWED_HOSTS = ["fears.example", "www.fears.example"]
    settings.SITE_URL = "https://fears.example"
    response = Client().get("/", HTTP_HOST="www.fears.example")
    assert alternates(response.text)["ko"] == "https://fears.example/?lang=ko"


# --- Vary ---------------------------------------------------------------------------------


def vary_of(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "url", ["/", "concern", "/updates/", "/api/concerns/", "/accounts/login/", "feed"]
)
def test_pages_vary_on_language_and_cookie(korean_concern, url):
    url = {
        "concern": korean_concern.get_absolute_url(),
        "feed": reverse("discussions:concern-feed", args=[korean_concern.slug]),
    }.get(url, url)
    assert {"accept-language", "cookie"} <= vary_of(english(url))


def test_a_signed_in_fans_page_varies_on_language_and_cookie(korean_concern, fan_client):
    response = fan_client.get(korean_concern.get_absolute_url())
    assert {"accept-language", "cookie"} <= vary_of(response)


def test_a_page_with_lang_varies_on_language_and_cookie(korean_concern):
    response = english(f"{korean_concern.get_absolute_url()}?lang=ko")
    assert {"accept-language", "cookie"} <= vary_of(response)


# --- the page cache -------------------------------------------------------------------------


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.TALLY_FRESH_SECONDS = 1
    # Time stands still: a kept page stays fresh for the whole test.
    frozen = SimpleNamespace(time=lambda: 1_900_000_000.0)
    monkeypatch.setattr(pagecache, "time", frozen)
    monkeypatch.setattr(fresh, "time", frozen)


@pytest.mark.usefixtures("page_cache")
def test_a_cached_page_keeps_its_vary_header(korean_concern):
    url = korean_concern.get_absolute_url()
    english(url)
    again = english(url)
    assert again[pagecache.HEADER] == "hit"
    assert {"accept-language", "cookie"} <= vary_of(again)


@pytest.mark.usefixtures("page_cache")
def test_lang_ko_is_cached_in_korean(korean_concern):
    url = f"{korean_concern.get_absolute_url()}?lang=ko"
    english(url)
    again = english(url)
    assert again[pagecache.HEADER] == "hit"
    assert KOREAN_TITLE in again.text


@pytest.mark.usefixtures("page_cache")
def test_lang_ko_and_a_korean_browser_share_the_language_of_the_kept_page(korean_concern):
    url = f"{korean_concern.get_absolute_url()}?lang=ko"
    korean(url)
    again = english(url)
    assert again[pagecache.HEADER] == "hit"
    assert '<html lang="ko">' in again.text


@pytest.mark.usefixtures("page_cache")
def test_a_page_cached_for_lang_ko_is_not_served_to_an_english_browser(korean_concern):
    url = korean_concern.get_absolute_url()
    english(f"{url}?lang=ko")
    english(f"{url}?lang=ko")
    plain = english(url)
    assert plain[pagecache.HEADER] == "miss"
    assert KOREAN_TITLE not in plain.text


@pytest.mark.usefixtures("page_cache")
def test_the_api_with_lang_is_served_from_the_cache(korean_concern):
    url = f"{reverse('discussions:api-concern-list')}?lang=ko"
    english(url)
    again = english(url)
    assert again[pagecache.HEADER] == "hit"
    assert again.json()[0]["title"] == KOREAN_TITLE


# --- the admin ------------------------------------------------------------------------------


def change_url(concern):
    return reverse("admin:discussions_concern_change", args=[concern.pk])


def concern_form(concern, **fields):
    return {
        "article": concern.article_id,
        "position": concern.position,
        "title_en": concern.title_en,
        "title_ko": concern.title_ko or "",
        "slug": concern.slug,
        "description_en": concern.description_en,
        "description_ko": concern.description_ko or "",
        **fields,
    }


def test_the_concern_change_form_has_a_field_per_language(korean_concern, client):
    client.force_login(make_curator())
    html = client.get(change_url(korean_concern)).text
    for name in ["title_en", "title_ko", "description_en", "description_ko"]:
        assert f'name="{name}"' in html
    assert KOREAN_TITLE in html


def test_the_concern_change_form_loads_no_script_from_elsewhere(korean_concern, client):
    client.force_login(make_curator())
    html = client.get(change_url(korean_concern)).text
    assert re.findall(r'<script[^>]+src="(?:https?:)?//', html) == []


def test_anonymous_cannot_save_korean(korean_concern, client):
    response = client.post(change_url(korean_concern), concern_form(korean_concern, title_ko="X"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    korean_concern.refresh_from_db()
    assert korean_concern.title_ko == KOREAN_TITLE


def test_a_moderator_cannot_save_korean(korean_concern, client):
    client.force_login(make_moderator())
    response = client.post(change_url(korean_concern), concern_form(korean_concern, title_ko="X"))
    assert response.status_code == 403
    korean_concern.refresh_from_db()
    assert korean_concern.title_ko == KOREAN_TITLE


def test_a_curator_saves_korean_and_keeps_the_english(korean_concern, client):
    client.force_login(make_curator())
    response = client.post(
        change_url(korean_concern), concern_form(korean_concern, title_ko="고친 제목")
    )
    assert response.status_code == 302
    korean_concern.refresh_from_db()
    assert (korean_concern.title_en, korean_concern.title_ko) == (
        "Conventional zombie action",
        "고친 제목",
    )
    assert "고친 제목" in korean(korean_concern.get_absolute_url()).text


def test_a_curator_in_a_korean_admin_saves_the_english_where_it_belongs(korean_concern, client):
    client.force_login(make_curator())
    client.post(
        change_url(korean_concern),
        concern_form(korean_concern, title_en="Zombie action"),
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    korean_concern.refresh_from_db()
    assert (korean_concern.title_en, korean_concern.title_ko) == ("Zombie action", KOREAN_TITLE)


def test_the_english_title_is_required_in_the_admin(korean_concern, client):
    client.force_login(make_curator())
    response = client.post(change_url(korean_concern), concern_form(korean_concern, title_en=""))
    assert response.status_code == 200
    korean_concern.refresh_from_db()
    assert korean_concern.title_en == "Conventional zombie action"


def test_the_admin_finds_a_concern_by_its_korean_title(korean_concern, client):
    other = make_concern(title="Sequel syndrome")
    client.force_login(make_curator())
    html = client.get(reverse("admin:discussions_concern_changelist"), {"q": "좀비"}).text
    assert change_url(korean_concern) in html
    assert change_url(other) not in html


def test_a_new_update_gets_its_slug_from_the_english_title(db, client):
    client.force_login(make_curator())
    client.post(
        reverse("admin:news_seasonupdate_add"),
        {
            "title_en": "Filming wraps",
            "title_ko": "촬영 종료",
            "slug": "",
            "summary_en": "Done.",
            "summary_ko": "끝났다.",
            "source_name": "Netflix",
            "status": "draft",
            "effects-TOTAL_FORMS": "0",
            "effects-INITIAL_FORMS": "0",
        },
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    update = SeasonUpdate.objects.get()
    assert (update.slug, update.title_ko) == ("filming-wraps", "촬영 종료")


# --- the seed and the demo ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_seed_carries_korean_for_every_concern_and_the_article():
    call_command("seed", stdout=io.StringIO())
    concerns = list(Concern.objects.all())
    assert len(concerns) == 4
    for concern in concerns:
        assert concern.title_ko and concern.description_ko
        assert concern.title_ko != concern.title_en
    assert Article.objects.get().summary_ko


@pytest.mark.django_db
def test_the_seed_is_shown_to_korean_readers():
    call_command("seed", stdout=io.StringIO())
    html = korean(Concern.objects.get(slug="sequel-syndrome").get_absolute_url()).text
    assert "속편 징크스" in html


@pytest.mark.django_db
def test_the_seed_runs_twice_without_change(capsys):
    call_command("seed")
    before = list(Concern.objects.values_list("pk", "title_en", "title_ko"))
    call_command("seed")
    assert list(Concern.objects.values_list("pk", "title_en", "title_ko")) == before
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_seed_fills_korean_on_a_site_seeded_before_it(capsys):
    call_command("seed")
    Concern.objects.update(title_ko=None, description_ko=None)
    Article.objects.update(summary_ko=None)
    UpdateEffect.objects.update(reason_ko="")
    call_command("seed")
    assert not Concern.objects.filter(title_ko=None).exists()
    assert not Concern.objects.filter(description_ko=None).exists()
    assert Article.objects.get().summary_ko
    assert not UpdateEffect.objects.filter(reason_ko="").exists()
    assert "Korean added" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_seed_keeps_a_curators_korean():
    call_command("seed", stdout=io.StringIO())
    Concern.objects.filter(slug="tired-tropes").update(title_ko="큐레이터의 제목")
    call_command("seed", stdout=io.StringIO())
    assert Concern.objects.get(slug="tired-tropes").title_ko == "큐레이터의 제목"


def test_every_demo_update_and_reason_has_korean():
    titles = {title for _days, title, *_rest in UPDATES}
    reasons = {reason for *_first, effects in UPDATES for _slug, _effect, reason in effects}
    assert titles <= set(KOREAN_UPDATES)
    assert reasons <= set(KOREAN_REASONS)


# --- the migrations ---------------------------------------------------------------------------

BEFORE = [("discussions", "0011_update_impacts_and_dismissals"), ("news", "0002_own_table_names")]
AFTER = [("discussions", "0012_korean_text"), ("news", "0003_korean_text")]


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(latest)


def rows_before_korean(executor):
    apps = executor.loader.project_state(BEFORE).apps
    article = apps.get_model("discussions", "Article").objects.create(
        title="The piece", slug="the-piece", summary="Our summary."
    )
    concern = apps.get_model("discussions", "Concern").objects.create(
        article=article, title="Tired tropes", slug="tired-tropes", description="Formulas."
    )
    update = apps.get_model("news", "SeasonUpdate").objects.create(
        title="Filming wraps", slug="filming-wraps", summary="Done.", source_name="Netflix"
    )
    apps.get_model("news", "UpdateEffect").objects.create(
        update=update, concern_id=concern.pk, effect="eases", reason="Cast is back."
    )


def migrate(executor, targets):
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_the_migrations_copy_the_english_into_the_en_columns(executor):
    rows_before_korean(executor)
    apps = migrate(executor, AFTER)
    concern = apps.get_model("discussions", "Concern").objects.get()
    update = apps.get_model("news", "SeasonUpdate").objects.get()
    assert (concern.title_en, concern.description_en, concern.title_ko) == (
        "Tired tropes",
        "Formulas.",
        None,
    )
    assert apps.get_model("discussions", "Article").objects.get().summary_en == "Our summary."
    assert (update.title_en, update.summary_en) == ("Filming wraps", "Done.")
    assert apps.get_model("news", "UpdateEffect").objects.get().reason_en == "Cast is back."


def test_undoing_the_migrations_keeps_the_english_edited_since(executor):
    rows_before_korean(executor)
    apps = migrate(executor, AFTER)
    apps.get_model("discussions", "Concern").objects.update(title_en="Worn-out tropes")
    apps.get_model("news", "SeasonUpdate").objects.update(title_en="Filming is over")
    apps = migrate(executor, BEFORE)
    assert apps.get_model("discussions", "Concern").objects.get().title == "Worn-out tropes"
    assert apps.get_model("news", "SeasonUpdate").objects.get().title == "Filming is over"
