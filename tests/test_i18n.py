import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import make_comment, make_update

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "aouad",
    "accounts",
    "discussions",
    "opinion",
    "moderation",
    "notifications",
    "templates",
]


def test_korean_catalog_has_no_fuzzy_or_untranslated_entry():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOG)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr
    assert "untranslated" not in result.stderr
    assert "translated messages" in result.stderr


def test_every_string_in_the_code_is_in_the_korean_catalog(tmp_path, settings, monkeypatch):
    # Extract from a copy of the sources: makemessages writes into any locale/
    # folder it walks past, and the real catalog must stay as committed.
    for folder in SOURCES:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["ko"], verbosity=0)
    fresh = tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgcmp", str(CATALOG), str(fresh)], capture_output=True, text=True)
    assert result.returncode == 0, "Run `make messages` and translate:\n" + result.stderr


@pytest.mark.django_db
def test_browser_language_picks_korean(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").text
    assert '<html lang="ko">' in html
    assert "시즌 2 우려 점검" in html
    assert "Season 2 news" not in html


@pytest.mark.django_db
def test_english_stays_the_default(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").text
    assert '<html lang="en">' in html
    assert "Season 2 news" in html


@pytest.mark.django_db
def test_language_switcher_keeps_the_url(client, concern):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": concern.get_absolute_url()})
    assert response.url == concern.get_absolute_url()
    html = client.get(concern.get_absolute_url()).text
    assert "이 우려는 타당할까요?" in html


@pytest.mark.django_db
def test_korean_admin_shows_our_model_names(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ko").text
    assert "검토가 필요한 댓글" in html
    assert "시즌 2 소식" in html


def test_dates_follow_the_language():
    day = datetime.date(2026, 3, 9)
    with translation.override("ko"):
        korean = date_format(day, "DATE_FORMAT")
    with translation.override("en"):
        english = date_format(day, "DATE_FORMAT")
    assert (korean, english) == ("2026년 3월 9일", "March 9, 2026")


@pytest.mark.django_db
def test_counts_and_dates_render_in_korean(client, concern):
    make_comment(concern)
    make_update(effects=[(concern, "eases")], published_at=timezone.now())
    html = client.get(concern.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko").text
    assert "댓글 1개" in html
    assert "우려를 누그러뜨림" in html
    assert f"{timezone.localdate().year}년" in html
